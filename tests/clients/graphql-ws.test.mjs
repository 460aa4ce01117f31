// graphql-ws (graphql-transport-ws) against the server's /graphql socket:
// a subscriber hears a mutation made over HTTP, then closes cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { PLAN, post, token, wsUrl } from './lib.mjs';

const SUBSCRIPTION = `
  subscription Changes($objective: ID!, $after: String) {
    indicatorChanges(objective: $objective, after: $after) {
      kind
      period
      cursor
      indicatorId
      indicator {
        id
        code
        latestMeasurement {
          period
          value
          source
        }
      }
      objective {
        id
        code
      }
    }
  }
`;

function withTimeout(promise, ms, what) {
  return Promise.race([
    promise,
    sleep(ms, undefined, { ref: false }).then(() => {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    }),
  ]);
}

// The cursor of the last change the first test saw.
let lastCursor = null;

async function recordB1(indicator, period, value) {
  const recorded = await post(
    `mutation ($indicator: ID!, $period: String!, $value: Decimal!) {
       recordMeasurement(indicator: $indicator, period: $period, value: $value, source: "SIOPE") {
         id period value
       }
     }`,
    { indicator, period, value },
    { authorization: `Bearer ${token}` },
  );
  assert.equal(recorded.errors, undefined, JSON.stringify(recorded.errors));
  assert.equal(recorded.data.recordMeasurement.value, value);
}

// Objective B.1 of the plan and its indicator 1.
async function lookupB1() {
  const lookup = await post(
    `query ($plan: String!) { objective(plan: $plan, code: "B.1") { id indicators { id code } } }`,
    { plan: PLAN },
  );
  assert.equal(lookup.errors, undefined);
  const objective = lookup.data.objective;
  const indicator = objective.indicators.find((i) => i.code === '1');
  assert.ok(indicator, 'B.1 has no indicator 1');
  return { objective, indicator };
}

// A client of the server's socket that does not retry (with `options`),
// and the promise of its close event.
function openClient(options = {}) {
  let onClosed;
  const closed = new Promise((resolve) => (onClosed = resolve));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    ...options,
    on: { ...options.on, closed: (event) => onClosed(event) },
  });
  return { client, closed };
}

test('indicatorChanges hears a measurement recorded over HTTP; dispose closes with 1000', async () => {
  const { objective, indicator } = await lookupB1();

  let onConnected;
  const connected = new Promise((resolve) => (onConnected = resolve));
  const { client, closed } = openClient({
    lazy: true,
    on: { connected: (socket) => onConnected(socket) },
  });

  try {
    const events = client.iterate({ query: SUBSCRIPTION, variables: { objective: objective.id } });
    const firstEvent = events.next();
    const socket = await withTimeout(connected, 5000, 'the connection ack');
    assert.equal(socket.protocol, 'graphql-transport-ws');
    // The subscribe message follows the ack and the protocol says nothing
    // when the server has started it: record (the same value) until the
    // change arrives rather than guess how long that takes.
    let arrived = false;
    firstEvent.then(() => (arrived = true), () => (arrived = true));
    const deadline = Date.now() + 10000;
    while (!arrived && Date.now() < deadline) {
      await recordB1(indicator.id, '2025-Q1', '12.5');
      await Promise.race([firstEvent, sleep(300, undefined, { ref: false })]);
    }

    const { value: event, done } = await withTimeout(firstEvent, 5000, 'the change event');
    assert.equal(done, false);
    assert.equal(event.errors, undefined, JSON.stringify(event.errors));
    const change = event.data.indicatorChanges;
    assert.equal(change.kind, 'MEASUREMENT_RECORDED');
    assert.equal(change.period, '2025-Q1');
    assert.equal(change.indicatorId, indicator.id);
    assert.match(change.cursor, /\S/);
    assert.equal(change.indicator.code, '1');
    assert.deepEqual(change.indicator.latestMeasurement, { period: '2025-Q1', value: '12.5', source: 'SIOPE' });
    assert.deepEqual(change.objective, { id: objective.id, code: 'B.1' });
    lastCursor = change.cursor;
    await events.return();
  } finally {
    await client.dispose();
  }

  const event = await withTimeout(closed, 5000, 'the close event');
  assert.equal(event.code, 1000, `closed with ${event.code} ${event.reason}`);
  assert.equal(event.wasClean, true);
});

test('a subscription to an objective id that is not one gets an error, the socket stays usable', async () => {
  const { client, closed } = openClient();
  // graphql-ws throws the errors of an `error` message; a `next` with errors is yielded.
  const bad = client.iterate({ query: SUBSCRIPTION, variables: { objective: 'garbage' } });
  const errors = await withTimeout(bad.next(), 5000, 'the error').then(
    (step) => step.value?.errors,
    (thrown) => thrown,
  );
  assert.ok(Array.isArray(errors), `expected GraphQL errors, got ${JSON.stringify(errors)}`);
  assert.equal(errors[0]?.extensions?.code, 'BAD_USER_INPUT');
  try {
    // A query over the same socket still works.
    const query = client.iterate({ query: `{ plan(code: "${PLAN}") { code lastYear } }` });
    const answer = await withTimeout(query.next(), 5000, 'the query answer');
    assert.deepEqual(answer.value.data, { plan: { code: PLAN, lastYear: 2025 } });
  } finally {
    await client.dispose();
  }
  const event = await withTimeout(closed, 5000, 'the close event');
  assert.equal(event.code, 1000);
});

test('subscribing again with after: the change made meanwhile comes first', async () => {
  assert.ok(lastCursor, 'the first subscription test saw no change');
  const { objective, indicator } = await lookupB1();

  // Nobody listens while this is written.
  await recordB1(indicator.id, '2025-Q2', '9.75');

  const { client, closed } = openClient();
  try {
    const events = client.iterate({
      query: SUBSCRIPTION,
      variables: { objective: objective.id, after: lastCursor },
    });
    // The first test may have recorded its value once more after the change
    // it kept the cursor of: those come first, then the new one.
    let event;
    for (let skipped = 0; skipped < 20; skipped++) {
      ({ value: event } = await withTimeout(events.next(), 5000, 'the replayed change'));
      assert.equal(event.errors, undefined, JSON.stringify(event.errors));
      if (event.data.indicatorChanges.period !== '2025-Q1') break;
    }
    const change = event.data.indicatorChanges;
    assert.equal(change.kind, 'MEASUREMENT_RECORDED');
    assert.equal(change.period, '2025-Q2');
    assert.equal(change.indicatorId, indicator.id);
    assert.notEqual(change.cursor, lastCursor);
    await events.return();
  } finally {
    await client.dispose();
  }
  assert.equal((await withTimeout(closed, 5000, 'the close event')).code, 1000);
});
