import { createHash } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { revokeApiKey } from '../../src/app/api-keys.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { startTestApp, type TestApp } from './app-harness.ts';

const LOG = {
  provider: 'openai',
  model: 'gpt-4o',
  inputTokens: 1200,
  outputTokens: 300,
  costUsd: '0.004500',
  latencyMs: 840,
  requestId: 'req-1',
};
const BUDGET = { name: 'daily budget', kind: 'budget', limitAmount: '1', period: 'day' };

describeEachDialect('app endpoints', (ctx) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(ctx.database);
  });
  afterEach(async () => {
    await t.close();
  });
  const count = async (table: string) =>
    Number((await ctx.database.query<{ n: number | string }>(`select count(*) as n from ${table}`))[0]?.n);

  it('GET /health needs no key and reports the schema version', async () => {
    const res = await t.call('GET', '/health');
    expect(res).toMatchObject({
      status: 200,
      body: { status: 'ok', schemaVersion: 6, pendingMigrations: 0, database: ctx.dialect },
    });
  });

  it('answers 401 on every other route without a valid key, and writes nothing', async () => {
    const owner = await t.seedProject('ada@example.com', 'ada');
    const policy = await t.call('POST', '/v1/policies', { key: owner.apiKey, body: BUDGET });
    expect(policy.status).toBe(201);
    const revoked = await t.seedProject('eve@example.com', 'eve');
    await revokeApiKey(t.database.db, revoked.apiKeyId);

    const routes: [method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown][] = [
      ['POST', '/v1/cost-logs', LOG],
      ['GET', '/v1/cost-summary'],
      ['GET', '/v1/policies'],
      ['POST', '/v1/policies', { ...BUDGET, name: 'other' }],
      ['GET', '/v1/policies/1'],
      ['PATCH', '/v1/policies/1', { enabled: false }],
      ['DELETE', '/v1/policies/1'],
    ];
    const credentials: [label: string, headers: Record<string, string>][] = [
      ['no key', {}],
      ['unknown key', { authorization: 'Bearer km_not-a-real-key' }],
      ['unknown x-api-key', { 'x-api-key': 'km_not-a-real-key' }],
      ['wrong scheme', { authorization: `Basic ${owner.apiKey}` }],
      ['revoked key', { authorization: `Bearer ${revoked.apiKey}` }],
    ];
    for (const [method, url, body] of routes) {
      for (const [label, headers] of credentials) {
        const res = await t.call(method, url, { key: null, headers, body });
        expect(res.status, `${method} ${url} with ${label}`).toBe(401);
        expect(res.body).toMatchObject({ error: 'unauthorized', message: expect.stringMatching(/API key/) });
      }
    }
    expect(await count('ai_cost_logs')).toBe(0);
    expect(await ctx.database.query('select id, name, enabled from policies')).toEqual([
      { id: 1, name: 'daily budget', enabled: ctx.dialect === 'sqlite' ? 1 : true },
    ]);
  });

  it('stores API keys only as sha256, and accepts them as Bearer or x-api-key', async () => {
    const { apiKey, apiKeyId } = await t.seedProject('ada@example.com', 'ada');
    const rows = await ctx.database.query<Record<string, unknown>>('select * from project_api_keys');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: apiKeyId,
      key_hash: createHash('sha256').update(apiKey).digest('hex'),
      key_prefix: apiKey.slice(0, 10),
    });
    expect(JSON.stringify(rows)).not.toContain(apiKey);
    expect((await t.call('GET', '/v1/policies', { key: apiKey })).status).toBe(200);
    const viaHeader = await t.call('GET', '/v1/policies', { key: null, headers: { 'x-api-key': apiKey } });
    expect(viaHeader).toMatchObject({ status: 200, body: { policies: [] } });
  });

  it('records a cost log with an exact decimal, and refuses a repeated requestId', async () => {
    const { apiKey, projectId } = await t.seedProject('ada@example.com', 'ada');
    const res = await t.call('POST', '/v1/cost-logs', { key: apiKey, body: LOG });
    expect(res).toMatchObject({
      status: 201,
      body: {
        id: '1',
        projectId,
        ...LOG,
        costUsd: '0.00450000',
        createdAt: '2025-03-15T12:00:00.000Z',
      },
    });
    const again = await t.call('POST', '/v1/cost-logs', { key: apiKey, body: { ...LOG, costUsd: '9' } });
    expect(again).toMatchObject({ status: 409, body: { error: 'duplicate_request_id', field: 'requestId' } });

    const rows = await ctx.database.query<Record<string, unknown>>(
      'select project_id, request_id, cost_usd, created_at from ai_cost_logs',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ project_id: projectId, request_id: 'req-1', cost_usd: '0.00450000' });
    expect(new Date(rows[0]!.created_at as string | Date).toISOString()).toBe('2025-03-15T12:00:00.000Z');
    // Unique per project: another project may use the same provider request id.
    const other = await t.seedProject('bob@example.com', 'bob');
    expect((await t.call('POST', '/v1/cost-logs', { key: other.apiKey, body: LOG })).status).toBe(201);
  });

  it('answers 400 naming the field for bad bodies, and writes nothing', async () => {
    const { apiKey } = await t.seedProject('ada@example.com', 'ada');
    const { requestId: _omit, ...withoutRequestId } = LOG;
    const cases: [body: unknown, field: string, message: RegExp][] = [
      [withoutRequestId, 'requestId', /requestId is required/],
      [{ ...LOG, costUsd: 0.0045 }, 'costUsd', /decimal string.*not a JSON number/],
      [{ ...LOG, costUsd: '0.123456789' }, 'costUsd', /at most 10 digits before the point and 8 after/],
      [{ ...LOG, costUsd: '-1' }, 'costUsd', /decimal string/],
      [{ ...LOG, inputTokens: '5' }, 'inputTokens', /must be integer/],
      [{ ...LOG, outputTokens: -1 }, 'outputTokens', /must be >= 0/],
      [{ ...LOG, model: '' }, 'model', /must NOT have fewer than 1 characters/],
      [{ ...LOG, projectId: 2 }, 'projectId', /projectId is not a known field/],
      [[LOG], 'body', /must be a JSON object/],
    ];
    for (const [body, field, message] of cases) {
      const res = await t.call('POST', '/v1/cost-logs', { key: apiKey, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({
        error: 'invalid_request',
        field,
        message: expect.stringMatching(message),
      });
    }
    const badJson = await t.call('POST', '/v1/cost-logs', { key: apiKey, body: '{"provider":' });
    expect(badJson).toMatchObject({ status: 400, body: { error: 'bad_request' } });

    const policyCases: [body: unknown, field: string, message: RegExp][] = [
      [{ ...BUDGET, kind: 'quota' }, 'kind', /kind must be one of: budget, token_limit/],
      [{ ...BUDGET, period: 'week' }, 'period', /period must be one of: day, month, total/],
      [{ ...BUDGET, limitAmount: '1e3' }, 'limitAmount', /decimal string/],
      [{ ...BUDGET, rules: { model: ['x'] } }, 'rules.model', /rules.model is not a known field/],
      [{ ...BUDGET, rules: { models: [] } }, 'rules.models', /must NOT have fewer than 1 items/],
      [{ ...BUDGET, enabled: 'yes' }, 'enabled', /must be boolean/],
    ];
    for (const [body, field, message] of policyCases) {
      const res = await t.call('POST', '/v1/policies', { key: apiKey, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({
        error: 'invalid_request',
        field,
        message: expect.stringMatching(message),
      });
    }
    const emptyPatch = await t.call('PATCH', '/v1/policies/1', { key: apiKey, body: {} });
    expect(emptyPatch).toMatchObject({
      status: 400,
      body: { message: 'body must contain at least one field to change' },
    });
    const badId = await t.call('GET', '/v1/policies/abc', { key: apiKey });
    expect(badId).toMatchObject({ status: 400, body: { field: 'id', in: 'params' } });
    const badQuery = await t.call('GET', '/v1/cost-summary?from=yesterday', { key: apiKey });
    expect(badQuery).toMatchObject({ status: 400, body: { field: 'from', in: 'querystring' } });

    expect(await count('ai_cost_logs')).toBe(0);
    expect(await count('policies')).toBe(0);
  });

  it('enforces an enabled budget: 429 past the limit, at the limit is fine, disabled or non-matching policies do not block', async () => {
    const { apiKey } = await t.seedProject('ada@example.com', 'ada');
    const budget = await t.call('POST', '/v1/policies', { key: apiKey, body: BUDGET });
    expect(budget.status).toBe(201);
    const log = (requestId: string, costUsd: string, model = 'gpt-4o') =>
      t.call('POST', '/v1/cost-logs', { key: apiKey, body: { ...LOG, requestId, costUsd, model } });

    expect((await log('a', '0.4')).status).toBe(201);
    expect((await log('b', '0.4')).status).toBe(201);
    const refused = await log('c', '0.20000001');
    expect(refused).toMatchObject({
      status: 429,
      body: {
        error: 'policy_violation',
        message:
          'policy "daily budget" allows 1.00000000 USD per day; 0.80000000 used, this call would make it 1.00000001',
        policy: { id: 1, name: 'daily budget', kind: 'budget', limitAmount: '1.00000000' },
        used: '0.80000000',
        wouldBe: '1.00000001',
      },
    });
    expect((await log('d', '0.2')).status).toBe(201);
    expect((await log('e', '0.00000001')).status).toBe(429);

    // A policy limited to another model does not count this one; a disabled one does not block.
    await t.call('PATCH', '/v1/policies/1', {
      key: apiKey,
      body: { rules: { models: ['claude-sonnet-4'] } },
    });
    expect((await log('f', '5', 'gpt-4o')).status).toBe(201);
    expect((await log('g', '1.5', 'claude-sonnet-4')).status).toBe(429);
    await t.call('PATCH', '/v1/policies/1', { key: apiKey, body: { enabled: false } });
    expect((await log('h', '1.5', 'claude-sonnet-4')).status).toBe(201);

    const rows = await ctx.database.query<{ request_id: string; cost_usd: string }>(
      'select request_id, cost_usd from ai_cost_logs order by id',
    );
    expect(rows).toEqual([
      { request_id: 'a', cost_usd: '0.40000000' },
      { request_id: 'b', cost_usd: '0.40000000' },
      { request_id: 'd', cost_usd: '0.20000000' },
      { request_id: 'f', cost_usd: '5.00000000' },
      { request_id: 'h', cost_usd: '1.50000000' },
    ]);
  });

  it('lets concurrent calls exceed a budget together never: exactly as many as fit are recorded', async () => {
    const { apiKey } = await t.seedProject('ada@example.com', 'ada');
    expect((await t.call('POST', '/v1/policies', { key: apiKey, body: BUDGET })).status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.call('POST', '/v1/cost-logs', {
          key: apiKey,
          body: { ...LOG, requestId: `c${i}`, costUsd: '0.3' },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
    expect(await ctx.database.query('select count(*) as n from ai_cost_logs')).toEqual([
      { n: ctx.dialect === 'sqlite' ? 3 : '3' },
    ]);
  });

  it('counts usage per period: yesterday counts for the month, not for the day; token limits too', async () => {
    const { apiKey } = await t.seedProject('ada@example.com', 'ada');
    t.clock.set('2025-03-14T23:59:59.999Z');
    expect(
      (await t.call('POST', '/v1/cost-logs', { key: apiKey, body: { ...LOG, requestId: 'y' } })).status,
    ).toBe(201);
    t.clock.set('2025-03-15T00:00:00.000Z');
    const daily = { name: 'tokens/day', kind: 'token_limit', limitAmount: '2000', period: 'day' };
    const monthly = { name: 'tokens/month', kind: 'token_limit', limitAmount: '3000', period: 'month' };
    expect((await t.call('POST', '/v1/policies', { key: apiKey, body: daily })).status).toBe(201);
    // 1500 tokens yesterday + 1500 today = 3000: within both.
    expect(
      (await t.call('POST', '/v1/cost-logs', { key: apiKey, body: { ...LOG, requestId: 't1' } })).status,
    ).toBe(201);
    expect((await t.call('POST', '/v1/policies', { key: apiKey, body: monthly })).status).toBe(201);
    const refused = await t.call('POST', '/v1/cost-logs', {
      key: apiKey,
      body: { ...LOG, requestId: 't2', inputTokens: 1, outputTokens: 0 },
    });
    expect(refused).toMatchObject({
      status: 429,
      body: {
        message:
          'policy "tokens/month" allows 3000 tokens per month; 3000 used, this call would make it 3001',
        used: 3000,
        wouldBe: 3001,
      },
    });
    t.clock.set('2025-04-01T00:00:00.000Z');
    expect(
      (
        await t.call('POST', '/v1/cost-logs', {
          key: apiKey,
          body: { ...LOG, requestId: 't2', inputTokens: 1 },
        })
      ).status,
    ).toBe(201);
    expect(await count('ai_cost_logs')).toBe(3);
  });

  it('summarises cost by model over a period, with exact sums', async () => {
    const { apiKey } = await t.seedProject('ada@example.com', 'ada');
    const calls: [at: string, model: string, costUsd: string, latencyMs: number][] = [
      ['2025-02-28T10:00:00.000Z', 'gpt-4o', '7', 100],
      ['2025-03-01T00:00:00.000Z', 'gpt-4o', '0.1', 100],
      ['2025-03-02T00:00:00.000Z', 'gpt-4o', '0.2', 201],
      ['2025-03-03T00:00:00.000Z', 'gpt-4o-mini', '0.00000001', 50],
      ['2025-03-10T00:00:00.000Z', 'claude-sonnet-4', '0.3', 900],
    ];
    for (const [i, [at, model, costUsd, latencyMs]] of calls.entries()) {
      t.clock.set(at);
      const res = await t.call('POST', '/v1/cost-logs', {
        key: apiKey,
        body: {
          ...LOG,
          requestId: `r${i}`,
          model,
          costUsd,
          latencyMs,
          provider: model.startsWith('claude') ? 'anthropic' : 'openai',
        },
      });
      expect(res.status).toBe(201);
    }
    t.clock.set('2025-03-15T12:00:00.000Z');
    const month = await t.call('GET', '/v1/cost-summary', { key: apiKey });
    expect(month).toMatchObject({ status: 200 });
    expect(month.body).toEqual({
      projectId: 1,
      from: '2025-03-01T00:00:00.000Z',
      to: null,
      totals: { requests: 4, inputTokens: 4800, outputTokens: 1200, costUsd: '0.60000001' },
      byModel: [
        // 0.3 and 0.1 + 0.2 tie exactly (no float 0.30000000000000004): provider then model decides.
        {
          provider: 'anthropic',
          model: 'claude-sonnet-4',
          requests: 1,
          inputTokens: 1200,
          outputTokens: 300,
          costUsd: '0.30000000',
          avgLatencyMs: 900,
        },
        {
          provider: 'openai',
          model: 'gpt-4o',
          requests: 2,
          inputTokens: 2400,
          outputTokens: 600,
          costUsd: '0.30000000',
          avgLatencyMs: 151,
        },
        {
          provider: 'openai',
          model: 'gpt-4o-mini',
          requests: 1,
          inputTokens: 1200,
          outputTokens: 300,
          costUsd: '0.00000001',
          avgLatencyMs: 50,
        },
      ],
    });
    const range = await t.call('GET', '/v1/cost-summary?from=2025-02-01T00:00:00Z&to=2025-03-02T00:00:00Z', {
      key: apiKey,
    });
    expect(range.body).toMatchObject({
      from: '2025-02-01T00:00:00.000Z',
      to: '2025-03-02T00:00:00.000Z',
      totals: { requests: 2, costUsd: '7.10000000' },
    });
    const total = await t.call('GET', '/v1/cost-summary?period=total', { key: apiKey });
    expect(total.body).toMatchObject({ from: null, totals: { requests: 5, costUsd: '7.60000001' } });
    const day = await t.call('GET', '/v1/cost-summary?period=day', { key: apiKey });
    expect(day.body).toMatchObject({ totals: { requests: 0, costUsd: '0.00000000' }, byModel: [] });
    const both = await t.call('GET', '/v1/cost-summary?period=day&from=2025-03-01T00:00:00Z', {
      key: apiKey,
    });
    expect(both).toMatchObject({ status: 400, body: { field: 'period' } });
  });

  it('creates, reads, updates and deletes policies, stored as the schema says', async () => {
    const { apiKey, projectId } = await t.seedProject('ada@example.com', 'ada');
    const created = await t.call('POST', '/v1/policies', {
      key: apiKey,
      body: { ...BUDGET, limitAmount: '25.5', rules: { providers: ['openai'], models: ['gpt-4o'] } },
    });
    expect(created).toMatchObject({ status: 201 });
    expect(created.body).toEqual({
      id: 1,
      projectId,
      name: 'daily budget',
      kind: 'budget',
      limitAmount: '25.50000000',
      period: 'day',
      enabled: true,
      rules: { models: ['gpt-4o'], providers: ['openai'] },
      createdAt: '2025-03-15T12:00:00.000Z',
      updatedAt: '2025-03-15T12:00:00.000Z',
    });
    const stored = await ctx.database.query<Record<string, unknown>>(
      'select project_id, limit_amount, enabled, rules from policies',
    );
    expect(stored).toEqual([
      ctx.dialect === 'sqlite'
        ? {
            project_id: projectId,
            limit_amount: '25.50000000',
            enabled: 1,
            rules: '{"providers":["openai"],"models":["gpt-4o"]}',
          }
        : {
            project_id: projectId,
            limit_amount: '25.50000000',
            enabled: true,
            rules: { models: ['gpt-4o'], providers: ['openai'] },
          },
    ]);

    const duplicate = await t.call('POST', '/v1/policies', { key: apiKey, body: BUDGET });
    expect(duplicate).toMatchObject({ status: 409, body: { error: 'duplicate_name', field: 'name' } });
    expect((await t.call('GET', '/v1/policies/1', { key: apiKey })).body).toEqual(created.body);
    expect((await t.call('GET', '/v1/policies', { key: apiKey })).body).toEqual({ policies: [created.body] });

    t.clock.advance(60_000);
    const updated = await t.call('PATCH', '/v1/policies/1', {
      key: apiKey,
      body: { enabled: false, limitAmount: '30', period: 'month' },
    });
    expect(updated.body).toEqual({
      ...(created.body as object),
      enabled: false,
      limitAmount: '30.00000000',
      period: 'month',
      updatedAt: '2025-03-15T12:01:00.000Z',
    });
    expect(await ctx.database.query('select enabled, limit_amount, period from policies')).toEqual([
      { enabled: ctx.dialect === 'sqlite' ? 0 : false, limit_amount: '30.00000000', period: 'month' },
    ]);

    expect((await t.call('DELETE', '/v1/policies/1', { key: apiKey })).status).toBe(204);
    expect(await count('policies')).toBe(0);
    for (const method of ['GET', 'DELETE'] as const) {
      expect(await t.call(method, '/v1/policies/1', { key: apiKey })).toMatchObject({
        status: 404,
        body: { error: 'not_found' },
      });
    }
    expect((await t.call('GET', '/v1/policies/99999999999', { key: apiKey })).status).toBe(400);
    expect((await t.call('GET', '/v1/policies/2147483648', { key: apiKey })).status).toBe(404);
  });

  it("never lets a key read or write another project's data", async () => {
    const ada = await t.seedProject('ada@example.com', 'ada');
    const bob = await t.seedProject('bob@example.com', 'bob');
    const adaPolicy = await t.call('POST', '/v1/policies', {
      key: ada.apiKey,
      body: { ...BUDGET, limitAmount: '0.5' },
    });
    expect(adaPolicy.status).toBe(201);
    expect((await t.call('POST', '/v1/cost-logs', { key: ada.apiKey, body: LOG })).status).toBe(201);

    // Bob sees none of Ada's data…
    expect((await t.call('GET', '/v1/policies', { key: bob.apiKey })).body).toEqual({ policies: [] });
    expect((await t.call('GET', '/v1/policies/1', { key: bob.apiKey })).status).toBe(404);
    expect((await t.call('GET', '/v1/cost-summary?period=total', { key: bob.apiKey })).body).toMatchObject({
      projectId: bob.projectId,
      totals: { requests: 0, costUsd: '0.00000000' },
    });
    // …cannot change or delete it…
    expect(
      (await t.call('PATCH', '/v1/policies/1', { key: bob.apiKey, body: { enabled: false } })).status,
    ).toBe(404);
    expect((await t.call('DELETE', '/v1/policies/1', { key: bob.apiKey })).status).toBe(404);
    // …cannot write into Ada's project by naming it…
    expect(
      (
        await t.call('POST', '/v1/policies', {
          key: bob.apiKey,
          body: { ...BUDGET, projectId: ada.projectId },
        })
      ).status,
    ).toBe(400);
    // …and is not limited by Ada's budget (0.5), nor counted in it.
    expect(
      (
        await t.call('POST', '/v1/cost-logs', {
          key: bob.apiKey,
          body: { ...LOG, requestId: 'bob-1', costUsd: '3' },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await t.call('POST', '/v1/cost-logs', {
          key: ada.apiKey,
          body: { ...LOG, requestId: 'ada-2', costUsd: '0.4' },
        })
      ).status,
    ).toBe(201);

    expect(
      await ctx.database.query('select project_id, request_id, cost_usd from ai_cost_logs order by id'),
    ).toEqual([
      { project_id: ada.projectId, request_id: 'req-1', cost_usd: '0.00450000' },
      { project_id: bob.projectId, request_id: 'bob-1', cost_usd: '3.00000000' },
      { project_id: ada.projectId, request_id: 'ada-2', cost_usd: '0.40000000' },
    ]);
    expect(await ctx.database.query('select project_id, enabled from policies')).toEqual([
      { project_id: ada.projectId, enabled: ctx.dialect === 'sqlite' ? 1 : true },
    ]);
  });
});
