/**
 * The same session of requests against SQLite and PostgreSQL must produce the
 * same responses, byte for byte: the app normalises what the drivers return
 * (timestamps, exact decimals, booleans, JSON, bigint ids and sums).
 */
import { afterEach, expect, it } from 'vitest';
import { createTestDatabase, type Dialect, type TestDatabase } from '../support/databases.ts';
import { startTestApp, type TestApp } from './app-harness.ts';

const databases: TestDatabase[] = [];
afterEach(async () => {
  for (const d of databases.splice(0)) await d.drop();
});

interface Exchange {
  request: string;
  status: number;
  body: string;
}

/** Exercises every route, success and failure, and returns what the client saw. */
async function session(t: TestApp): Promise<Exchange[]> {
  const ada = await t.seedProject('ada@example.com', 'ada');
  const bob = await t.seedProject('bob@example.com', 'bob');
  const transcript: Exchange[] = [];
  const call = async (
    label: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    key: string | null,
    body?: unknown,
  ) => {
    const res = await t.call(method, url, { key, body });
    transcript.push({ request: `${label}: ${method} ${url}`, status: res.status, body: res.raw.body });
  };
  const log = (requestId: string, model: string, costUsd: string, extra: object = {}) => ({
    provider: model.startsWith('claude') ? 'anthropic' : 'openai',
    model,
    inputTokens: 1000 + requestId.length,
    outputTokens: 250,
    costUsd,
    latencyMs: 333,
    requestId,
    ...extra,
  });

  await call('health', 'GET', '/health', null);
  await call('no key', 'GET', '/v1/policies', null);
  await call('bad key', 'GET', '/v1/policies', 'km_wrong');
  await call('create budget', 'POST', '/v1/policies', ada.apiKey, {
    name: 'monthly',
    kind: 'budget',
    limitAmount: '1.25',
    period: 'month',
    rules: { providers: ['openai', 'anthropic'], models: ['gpt-4o', 'claude-sonnet-4'] },
  });
  await call('create token limit', 'POST', '/v1/policies', ada.apiKey, {
    name: 'tokens',
    kind: 'token_limit',
    limitAmount: '100000',
    period: 'day',
    enabled: false,
  });
  await call('duplicate name', 'POST', '/v1/policies', ada.apiKey, {
    name: 'tokens',
    kind: 'budget',
    limitAmount: '1',
    period: 'day',
  });
  await call('invalid kind', 'POST', '/v1/policies', ada.apiKey, {
    name: 'x',
    kind: 'nope',
    limitAmount: '1',
    period: 'day',
  });
  for (const [i, [model, cost]] of [
    ['gpt-4o', '0.1'],
    ['gpt-4o', '0.2'],
    ['claude-sonnet-4', '0.30000000'],
    ['gpt-4o-mini', '12.345'],
    ['gpt-4o', '0.65'],
    ['gpt-4o', '0.00000001'],
  ].entries()) {
    t.clock.advance(3_600_000);
    await call(`log ${i}`, 'POST', '/v1/cost-logs', ada.apiKey, log(`ada-${i}`, model!, cost!));
  }
  await call('repeat request id', 'POST', '/v1/cost-logs', ada.apiKey, log('ada-0', 'gpt-4o', '0.1'));
  await call('float cost', 'POST', '/v1/cost-logs', ada.apiKey, { ...log('f', 'gpt-4o', '0'), costUsd: 0.1 });
  await call('bob logs', 'POST', '/v1/cost-logs', bob.apiKey, log('ada-0', 'gpt-4o', '99'));
  await call('summary month', 'GET', '/v1/cost-summary', ada.apiKey);
  await call(
    'summary range',
    'GET',
    '/v1/cost-summary?from=2025-03-15T13:00:00Z&to=2025-03-15T15:30:00Z',
    ada.apiKey,
  );
  await call('summary bob', 'GET', '/v1/cost-summary?period=total', bob.apiKey);
  await call('list', 'GET', '/v1/policies', ada.apiKey);
  t.clock.advance(1000);
  await call('enable tokens', 'PATCH', '/v1/policies/2', ada.apiKey, { enabled: true, limitAmount: '7000' });
  await call(
    'over token limit',
    'POST',
    '/v1/cost-logs',
    ada.apiKey,
    log('ada-big', 'gpt-4o-mini', '0.01', { inputTokens: 5000 }),
  );
  await call('bob reads ada', 'GET', '/v1/policies/1', bob.apiKey);
  await call('bob deletes ada', 'DELETE', '/v1/policies/1', bob.apiKey);
  await call('delete', 'DELETE', '/v1/policies/1', ada.apiKey);
  await call('get deleted', 'GET', '/v1/policies/1', ada.apiKey);
  await call('list after', 'GET', '/v1/policies', ada.apiKey);
  return transcript;
}

async function run(dialect: Dialect): Promise<Exchange[]> {
  const database = await createTestDatabase(dialect);
  databases.push(database);
  const t = await startTestApp(database);
  try {
    return await session(t);
  } finally {
    await t.close();
  }
}

it('answers the same session identically on SQLite and PostgreSQL', async () => {
  const [sqlite, postgres] = await Promise.all([run('sqlite'), run('postgres')]);
  // The one intended difference: /health names the dialect.
  const health = (e: Exchange[]) => JSON.parse(e[0]!.body) as { database: string };
  expect(health(sqlite).database).toBe('sqlite');
  expect(health(postgres).database).toBe('postgres');
  const comparable = (e: Exchange[]) => e.slice(1);
  expect(comparable(sqlite)).toEqual(comparable(postgres));

  // And the session exercised what it claims to.
  expect(sqlite.map((e) => `${e.request.split(':')[0]} ${e.status}`)).toEqual([
    'health 200',
    'no key 401',
    'bad key 401',
    'create budget 201',
    'create token limit 201',
    'duplicate name 409',
    'invalid kind 400',
    'log 0 201',
    'log 1 201',
    'log 2 201',
    'log 3 201',
    'log 4 201',
    'log 5 429',
    'repeat request id 409',
    'float cost 400',
    'bob logs 201',
    'summary month 200',
    'summary range 200',
    'summary bob 200',
    'list 200',
    'enable tokens 200',
    'over token limit 429',
    'bob reads ada 404',
    'bob deletes ada 404',
    'delete 204',
    'get deleted 404',
    'list after 200',
  ]);
  const summary = JSON.parse(sqlite.find((e) => e.request.startsWith('summary month'))!.body);
  expect(summary.totals).toEqual({
    requests: 5,
    inputTokens: 5025,
    outputTokens: 1250,
    costUsd: '13.59500000',
  });
});
