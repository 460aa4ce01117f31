// Shared by the suites: the server's address and token (from run.sh), a
// plain GraphQL POST, and a fetch that records what a client sends.
import assert from 'node:assert/strict';

export const url = process.env.CRUSCOTTO_URL;
export const token = process.env.CRUSCOTTO_TOKEN;
assert.ok(url, 'CRUSCOTTO_URL is not set (run tests/clients/run.sh)');
assert.ok(token, 'CRUSCOTTO_TOKEN is not set (run tests/clients/run.sh)');

export const wsUrl = url.replace(/^http/, 'ws');
export const PLAN = 'piano-agenzia-2025';

export async function post(query, variables = {}, headers = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  assert.equal(response.status, 200, `HTTP ${response.status} for ${query}`);
  return response.json();
}

// Like fetch, and keeps { method, url, body } of every call.
export function recordingFetch() {
  const calls = [];
  const wrapped = async (input, init = {}) => {
    calls.push({ method: init.method ?? 'GET', url: String(input), body: init.body ?? null });
    return fetch(input, init);
  };
  return { fetch: wrapped, calls };
}
