// relay-runtime against the server with the artifacts relay-compiler made
// (run.sh compiles them to generated/relay-js): a store read whole, a
// @connection paged with cursors, a @refetchable fragment through node(id:),
// and a result with failed fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { PLAN, url } from './lib.mjs';

const require = createRequire(import.meta.url);
const { Environment, Network, RecordSource, Store, createOperationDescriptor, fetchQuery, getSelector } =
  require('relay-runtime');
const artifact = (name) => require(`./generated/relay-js/generated/relay/${name}.graphql.js`).default;
const read = require('./generated/relay-js/relay/read.js');

const AppQuery = artifact('AppQuery');
const AppErrorsQuery = artifact('AppErrorsQuery');
const PlanListPaginationQuery = artifact('PlanListPaginationQuery');
const ObjectiveCardRefetchQuery = artifact('ObjectiveCardRefetchQuery');
const PlanList = artifact('PlanList_query');
const ObjectiveCard = artifact('ObjectiveCard_objective');

function environment() {
  const requests = [];
  const network = Network.create(async (params, variables) => {
    requests.push({ name: params.name, text: params.text, variables });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: params.text, variables }),
    });
    assert.equal(response.status, 200);
    return response.json();
  });
  return { env: new Environment({ network, store: new Store(new RecordSource()) }), requests };
}

// Fetches an operation and reads its root from the store.
async function fetchAndLookup(env, query, variables) {
  await fetchQuery(env, query, variables).toPromise();
  const operation = createOperationDescriptor(query, variables);
  assert.equal(env.check(operation).status, 'available', `${query.params.name} is not in the store whole`);
  const snapshot = env.lookup(operation.fragment);
  assert.equal(snapshot.isMissingData, false, `${query.params.name} reads with missing data`);
  return snapshot.data;
}

function readFragment(env, fragment, ref) {
  const snapshot = env.lookup(getSelector(fragment, ref));
  assert.equal(snapshot.isMissingData, false, `${fragment.name} reads with missing data`);
  return snapshot.data;
}

const B1_TARGETS = ['B.1/1 2025 <=10 (LE 10)', 'B.1/2 2025 85% (EQ 85)', 'B.1/3 2025 4 (EQ 4)'];

test('AppQuery: the fragments read from the store', async () => {
  const { env } = environment();
  const root = await fetchAndLookup(env, AppQuery, { plan: PLAN, objective: 'B.1' });

  const plans = readFragment(env, PlanList, root);
  assert.deepEqual(read.planCodes(plans), ['piano-agenzia-2025']);
  assert.equal(read.planTotal(plans), 2);

  const card = readFragment(env, ObjectiveCard, root.objective);
  assert.equal(card.title, 'Pagamenti puntuali ai fornitori del trasporto pubblico');
  assert.deepEqual(read.targetLines(card), B1_TARGETS);
  assert.equal(read.centreHead(card), 'Direzione amministrazione e bilancio: Dott.ssa Marta Bellini');
  assert.equal(card.achievement.status, 'NO_DATA');
});

test('@connection: the next page, fetched with the end cursor, joins the first', async () => {
  const { env, requests } = environment();
  const root = await fetchAndLookup(env, AppQuery, { plan: PLAN, objective: 'B.1' });
  const first = readFragment(env, PlanList, root);
  assert.equal(first.plans.pageInfo.hasNextPage, true);
  const cursor = first.plans.pageInfo.endCursor;
  assert.equal(typeof cursor, 'string');

  await fetchQuery(env, PlanListPaginationQuery, { count: 1, cursor }).toPromise();
  assert.equal(requests.at(-1).name, 'PlanListPaginationQuery');
  const both = readFragment(env, PlanList, root);
  assert.deepEqual(read.planCodes(both), ['piano-agenzia-2025', 'piano-triennale-2024-2026']);
  assert.equal(both.plans.pageInfo.hasNextPage, false);
});

test('@refetchable: the objective refetched through node(id:)', async () => {
  const { env: first } = environment();
  const root = await fetchAndLookup(first, AppQuery, { plan: PLAN, objective: 'B.1' });
  const id = readFragment(first, ObjectiveCard, root.objective).id;

  const { env, requests } = environment();
  const data = await fetchAndLookup(env, ObjectiveCardRefetchQuery, { id, year: 2025 });
  assert.match(requests[0].text, /node\(id: \$id\)/);
  const card = readFragment(env, ObjectiveCard, data.node);
  assert.equal(card.id, id);
  assert.equal(card.code, 'B.1');
  assert.deepEqual(read.targetLines(card), B1_TARGETS);
});

test('failed fields are null in the store, the rest is there', async () => {
  const { env } = environment();
  const data = await fetchAndLookup(env, AppErrorsQuery, { plan: PLAN, objective: 'B.1' });
  assert.equal(read.errorsSummary(data), 'node null, indicator 1, value null');
  assert.equal(data.indicator.id.length > 0, true);
});
