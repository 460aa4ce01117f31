// The operations graphql-codegen typed (codegen/operations.graphql) run
// on the server, and the code written against their types (codegen/usage.ts,
// compiled by run.sh) reads the answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Kind, parse, print } from 'graphql';
import { post, token } from './lib.mjs';
import * as usage from './generated/codegen-js/codegen/usage.js';

const source = readFileSync(new URL('./codegen/operations.graphql', import.meta.url), 'utf8');
// One document per operation, as typed-document-node and client presets send them.
const operations = Object.fromEntries(
  parse(source).definitions
    .filter((d) => d.kind === Kind.OPERATION_DEFINITION)
    .map((d) => [d.name.value, print({ kind: Kind.DOCUMENT, definitions: [d] })]),
);

async function run(name, variables, headers) {
  const result = await post(operations[name], variables, headers);
  assert.equal(result.errors, undefined, `${name}: ${JSON.stringify(result.errors)}`);
  return result.data;
}

test('MissionTree: missions → programs → actions → objectives', async () => {
  const data = await run('MissionTree', {});
  assert.equal(usage.missionCount(data), 1);
  assert.deepEqual(usage.budgetPaths(data), [
    '10/10.2/Corrispettivi dei contratti di servizio ferroviario: B.1',
    '10/10.2/Corrispettivi dei contratti di servizio su gomma: B.1',
    '10/10.2/Monitoraggio dei contratti di servizio: P.2',
    '10/10.2/Sistemi di bigliettazione integrata: D.3',
  ]);
});

test('ObjectiveIndicators: indicators with targets, value and achievement', async () => {
  const data = await run('ObjectiveIndicators', usage.objectiveVariables('B.1'));
  assert.equal(
    usage.headline(data),
    'B.1 Pagamenti puntuali ai fornitori del trasporto pubblico ' +
      '(Direzione amministrazione e bilancio, Dott.ssa Marta Bellini, 40/100)',
  );
  assert.deepEqual(usage.indicatorLines(data), [
    'B.1/1 LOWER_IS_BETTER baseline 18 target LE 10 days, no value, NO_DATA',
    'B.1/2 HIGHER_IS_BETTER baseline 64 target EQ 85%, no value, NO_DATA',
    'B.1/3 HIGHER_IS_BETTER baseline 2 target EQ 4, no value, NO_DATA',
  ]);

  const missing = await run('ObjectiveIndicators', usage.objectiveVariables('Z.9'));
  assert.equal(missing.objective, null);
  assert.equal(usage.headline(missing), null);
  assert.deepEqual(usage.indicatorLines(missing), []);
});

// D.3 is written by this suite only.
test('RecordMeasurement: the mutation and the query see the new value', async () => {
  const before = await run('ObjectiveIndicators', usage.objectiveVariables('D.3'));
  assert.deepEqual(usage.latestMeasurements(before), []);
  const indicator = before.objective.indicators.find((i) => i.code === '2');

  const recorded = await run('RecordMeasurement', usage.measurementVariables(indicator.id), {
    authorization: `Bearer ${token}`,
  });
  assert.equal(
    usage.recordedText(recorded),
    '2 2025 2025-01-01..2025-12-31 = 3 (portale, by clients); latest 2025=3',
  );

  const after = await run('ObjectiveIndicators', usage.objectiveVariables('D.3'));
  assert.deepEqual(usage.latestMeasurements(after), ['2: 2025=3 (portale)']);
  assert.deepEqual(usage.indicatorLines(after), [
    'D.3/1 HIGHER_IS_BETTER baseline 0 target EQ 40%, no value, NO_DATA',
    'D.3/2 HIGHER_IS_BETTER baseline 0 target EQ 6, no value, NO_DATA',
  ]);
});

// GraphiQL and graphql-request send the whole file with an operationName;
// only the named operation's variables are coerced (spec, ExecuteRequest).
test('the whole operations file with operationName runs the named operation', async () => {
  const response = await fetch(process.env.CRUSCOTTO_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: source, operationName: 'MissionTree', variables: {} }),
  });
  assert.equal(response.status, 200);
  const result = await response.json();
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  assert.equal(usage.missionCount(result.data), 1);
});
