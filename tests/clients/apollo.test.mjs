// Apollo Client 3 against the server: the normalised cache with
// errorPolicy 'all', automatic persisted queries, batched HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client/core/index.js';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries/index.js';
import { BatchHttpLink } from '@apollo/client/link/batch-http/index.js';
import { PLAN, recordingFetch, token, url } from './lib.mjs';

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

function client(link) {
  return new ApolloClient({ link, cache: new InMemoryCache() });
}

const PLANS_AND_BAD_NODE = gql`
  query PlansAndBadNode {
    plans(first: 5) {
      totalCount
      nodes {
        id
        code
      }
    }
    node(id: "garbage") {
      id
    }
  }
`;

test('errorPolicy all: a failed root field is null in data and in the cache', async () => {
  const { fetch, calls } = recordingFetch();
  const apollo = client(new HttpLink({ uri: url, fetch }));
  const result = await apollo.query({ query: PLANS_AND_BAD_NODE, errorPolicy: 'all' });

  assert.equal(result.data.node, null);
  assert.equal(result.data.plans.totalCount, 2);
  assert.deepEqual(
    result.data.plans.nodes.map((p) => p.code),
    ['piano-agenzia-2025', 'piano-triennale-2024-2026'],
  );
  assert.equal(result.errors?.length, 1);
  assert.deepEqual(result.errors[0].path, ['node']);
  assert.equal(result.errors[0].extensions.code, 'BAD_USER_INPUT');

  // The cache holds the whole result: readQuery and a cache-only query
  // answer without the network.
  const cached = apollo.readQuery({ query: PLANS_AND_BAD_NODE });
  assert.notEqual(cached, null, 'readQuery returned null: the result was not written whole');
  assert.equal(cached.node, null);
  assert.deepEqual(cached.plans, result.data.plans);
  const again = await apollo.query({ query: PLANS_AND_BAD_NODE, fetchPolicy: 'cache-only' });
  assert.deepEqual(again.data, result.data);
  assert.equal(calls.length, 1);

  // Normalised by __typename and id.
  const ref = apollo.cache.identify({ __typename: 'Plan', id: result.data.plans.nodes[0].id });
  assert.equal(apollo.cache.extract()[ref].code, 'piano-agenzia-2025');
});

test('errorPolicy all: a failed nested nullable field is null, not missing', async () => {
  const query = gql`
    query BadPeriod($plan: String!) {
      indicator(plan: $plan, objective: "B.1", code: "1") {
        id
        code
        description
        value(period: "garbage") {
          period
          value
        }
      }
    }
  `;
  const apollo = client(new HttpLink({ uri: url }));
  const result = await apollo.query({ query, variables: { plan: PLAN }, errorPolicy: 'all' });

  assert.equal(result.data.indicator.code, '1');
  assert.equal(result.data.indicator.description, 'Tempestività dei pagamenti');
  assert.ok('value' in result.data.indicator, 'value is missing from the indicator');
  assert.equal(result.data.indicator.value, null);
  assert.equal(result.errors?.length, 1);
  assert.deepEqual(result.errors[0].path, ['indicator', 'value']);
  assert.equal(result.errors[0].extensions.code, 'BAD_USER_INPUT');
  assert.equal(result.errors[0].extensions.field, 'period');

  const cached = apollo.readQuery({ query, variables: { plan: PLAN } });
  assert.notEqual(cached, null, 'readQuery returned null: the result was not written whole');
  assert.equal(cached.indicator.value, null);
  assert.equal(cached.indicator.description, 'Tempestività dei pagamenti');
});

test('errorPolicy all: a failed non-null field nulls its nullable parent', async () => {
  const query = gql`
    query BadYear($plan: String!) {
      objective(plan: $plan, code: "B.1") {
        id
        achievement(year: 99999) {
          status
        }
      }
      plan(code: $plan) {
        id
        title
      }
    }
  `;
  const apollo = client(new HttpLink({ uri: url }));
  const result = await apollo.query({ query, variables: { plan: PLAN }, errorPolicy: 'all' });

  assert.equal(result.data.objective, null);
  assert.equal(result.data.plan.title.length > 0, true);
  assert.deepEqual(result.errors.map((e) => e.path), [['objective', 'achievement']]);
  assert.equal(result.errors[0].extensions.field, 'year');

  const cached = apollo.readQuery({ query, variables: { plan: PLAN } });
  assert.notEqual(cached, null, 'readQuery returned null: the result was not written whole');
  assert.equal(cached.objective, null);
  assert.equal(cached.plan.title, result.data.plan.title);
});

test('a mutation needs the bearer token: UNAUTHENTICATED without, done with', async () => {
  const mutation = gql`
    mutation Record($indicator: ID!) {
      recordMeasurement(indicator: $indicator, period: "2025-Q4", value: "71.5", source: "apollo") {
        id
        period
        value
        recordedBy
        indicator {
          id
          code
        }
      }
    }
  `;
  const lookup = await client(new HttpLink({ uri: url })).query({
    query: gql`query P2 { indicator(plan: "piano-agenzia-2025", objective: "P.2", code: "3") { id } }`,
  });
  const indicator = lookup.data.indicator.id;

  const anonymous = client(new HttpLink({ uri: url }));
  const refused = await anonymous.mutate({ mutation, variables: { indicator }, errorPolicy: 'all' });
  assert.equal(refused.data?.recordMeasurement ?? null, null);
  assert.equal(refused.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');

  const editor = client(new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` } }));
  const done = await editor.mutate({ mutation, variables: { indicator } });
  assert.equal(done.errors, undefined);
  assert.equal(done.data.recordMeasurement.period, '2025-Q4');
  assert.equal(done.data.recordMeasurement.value, '71.5');
  assert.equal(done.data.recordMeasurement.recordedBy, 'clients');
  assert.equal(done.data.recordMeasurement.indicator.id, indicator);
});

// A query text no earlier request registered: a fresh alias per test.
function freshPlanQuery() {
  const alias = `p${randomUUID().replaceAll('-', '')}`;
  return {
    alias,
    query: gql`
      query FreshPlan {
        ${alias}: plan(code: "piano-agenzia-2025") {
          id
          code
          firstYear
          lastYear
        }
      }
    `,
  };
}

function bodyOf(call) {
  if (call.method === 'GET') {
    const params = new URL(call.url).searchParams;
    return {
      query: params.get('query'),
      extensions: params.has('extensions') ? JSON.parse(params.get('extensions')) : undefined,
    };
  }
  return JSON.parse(call.body);
}

async function persistedQueryRound(options) {
  const { fetch, calls } = recordingFetch();
  const link = createPersistedQueryLink({ sha256, ...options }).concat(new HttpLink({ uri: url, fetch }));
  const { alias, query } = freshPlanQuery();

  // First time: hash only, PERSISTED_QUERY_NOT_FOUND, then hash with query.
  const first = await client(link).query({ query, fetchPolicy: 'network-only' });
  assert.equal(first.errors, undefined);
  assert.equal(first.data[alias].code, 'piano-agenzia-2025');
  assert.equal(first.data[alias].firstYear, 2025);
  assert.equal(calls.length, 2, `expected a hash-only try and a retry, got ${calls.length} requests`);
  const [tryHash, retry] = calls.map(bodyOf);
  const hash = tryHash.extensions?.persistedQuery?.sha256Hash;
  assert.match(hash ?? '', /^[0-9a-f]{64}$/);
  assert.equal(tryHash.query ?? undefined, undefined, 'the first request carried the query');
  assert.equal(retry.extensions.persistedQuery.sha256Hash, hash);
  assert.equal(sha256(retry.query), hash);

  // Second time, from a new client: the hash alone is enough.
  const second = await client(link).query({ query, fetchPolicy: 'network-only' });
  assert.equal(second.errors, undefined);
  assert.deepEqual(second.data, first.data);
  assert.equal(calls.length, 3, `expected one more request, got ${calls.length - 2}`);
  const hashOnly = bodyOf(calls[2]);
  assert.equal(hashOnly.query ?? undefined, undefined, 'the second request carried the query');
  assert.equal(hashOnly.extensions.persistedQuery.sha256Hash, hash);
  return calls;
}

test('persisted queries over POST: not found, registered, then hash only', async () => {
  const calls = await persistedQueryRound({});
  assert.deepEqual(calls.map((c) => c.method), ['POST', 'POST', 'POST']);
});

test('persisted queries with useGETForHashedQueries: hash-only requests are GETs', async () => {
  const calls = await persistedQueryRound({ useGETForHashedQueries: true });
  // Apollo sends the retry with the full query as a POST.
  assert.deepEqual(calls.map((c) => c.method), ['GET', 'POST', 'GET']);
});

test('BatchHttpLink: four queries in one HTTP request, each with its own result', async () => {
  const { fetch, calls } = recordingFetch();
  const link = ApolloLink.from([new BatchHttpLink({ uri: url, fetch, batchMax: 10, batchInterval: 20 })]);
  const apollo = client(link);
  const [plan, mission, objective, bad] = await Promise.all([
    apollo.query({ query: gql`query BatchPlan { plan(code: "piano-agenzia-2025") { id code kind firstYear } }` }),
    apollo.query({ query: gql`query BatchMission { mission(code: "10") { id code name programs { id code } } }` }),
    apollo.query({
      query: gql`query BatchObjective { objective(plan: "piano-agenzia-2025", code: "D.3") { id code title indicators { id code } } }`,
    }),
    apollo.query({ query: gql`query BatchBadNode { node(id: "garbage") { id } }`, errorPolicy: 'all' }),
  ]);

  assert.equal(calls.length, 1, `expected one HTTP request, got ${calls.length}`);
  const body = JSON.parse(calls[0].body);
  assert.ok(Array.isArray(body), 'the batch body is not a JSON array');
  assert.deepEqual(
    body.map((op) => op.operationName),
    ['BatchPlan', 'BatchMission', 'BatchObjective', 'BatchBadNode'],
  );

  assert.equal(plan.data.plan.code, 'piano-agenzia-2025');
  assert.equal(plan.data.plan.kind, 'ANNUAL_OBJECTIVES');
  assert.equal(plan.data.plan.firstYear, 2025);
  assert.equal(mission.data.mission.name, 'Trasporti e diritto alla mobilità');
  assert.deepEqual(mission.data.mission.programs.map((p) => p.code), ['10.2']);
  assert.equal(objective.data.objective.title, 'Abbonamento unico digitale');
  assert.deepEqual(objective.data.objective.indicators.map((i) => i.code), ['1', '2']);
  assert.equal(bad.data.node, null);
  assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  for (const ok of [plan, mission, objective]) assert.equal(ok.errors, undefined);
});
