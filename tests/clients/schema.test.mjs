// The committed SDL, which relay-compiler and graphql-codegen read, has
// the types the server serves (descriptions aside: api/tests/graph_schema.rs
// compares the text exactly).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  buildClientSchema,
  buildSchema,
  findBreakingChanges,
  getIntrospectionQuery,
  lexicographicSortSchema,
  parse,
  print,
  printSchema,
  visit,
} from 'graphql';
import { post } from './lib.mjs';

const committed = buildSchema(readFileSync(new URL('../../api/schema.graphql', import.meta.url), 'utf8'));

// Sorted SDL without descriptions. printSchema leaves out the built-in
// directives, whose locations vary between graphql-js releases.
function shape(schema) {
  const ast = parse(printSchema(lexicographicSortSchema(schema)));
  return print(visit(ast, { enter: (node) => (node.description ? { ...node, description: undefined } : undefined) }));
}

test('the served schema has the types of the committed api/schema.graphql', async () => {
  const result = await post(getIntrospectionQuery({ descriptions: false, inputValueDeprecation: true }));
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  const served = buildClientSchema(result.data);
  const breaking = findBreakingChanges(committed, served).map((c) => `${c.type}: ${c.description}`);
  const servedLines = shape(served).split('\n');
  const committedLines = shape(committed).split('\n');
  const at = servedLines.findIndex((line, i) => line !== committedLines[i]);
  assert.ok(
    at === -1 && servedLines.length === committedLines.length,
    `the served schema differs from api/schema.graphql at line ${at + 1} of the sorted SDL: ` +
      `served "${servedLines[at]}", committed "${committedLines[at]}"; breaking changes: ${breaking.join('; ') || 'none'}`,
  );
});
