import { expect, it } from 'vitest';
import { migrateDown, migrateUp } from '../../src/index.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { trackingRows } from '../support/migration-folder.ts';
import { ensureSupabaseRoles } from '../support/supabase-shape.ts';
import { added, catalogSnapshot, MIGRATE_OPTIONS, objectNames } from './catalog-snapshot.ts';

/** What each migration's up must add (by name; the full definitions are compared below). */
const EXPECTED_NEW_OBJECTS: Record<'sqlite' | 'postgres', string[][]> = {
  sqlite: [
    ['table:users', 'table:projects', 'table:project_api_keys'],
    ['index:projects_owner_id_idx', 'index:project_api_keys_project_id_idx'],
    ['table:ai_cost_logs', 'index:ai_cost_logs_project_id_created_at_idx'],
    ['table:policies'],
  ],
  postgres: [
    [
      'table:users',
      'table:projects',
      'table:project_api_keys',
      'constraint:users.users_email_key',
      'constraint:projects.projects_owner_id_fkey',
      'constraint:project_api_keys.project_api_keys_key_hash_key',
    ],
    [
      'index:projects_owner_id_idx',
      'indexdef:projects_owner_id_idx',
      'index:project_api_keys_project_id_idx',
      'indexdef:project_api_keys_project_id_idx',
    ],
    [
      'table:ai_cost_logs',
      'column:ai_cost_logs.cost_usd',
      'constraint:ai_cost_logs.ai_cost_logs_project_id_request_id_key',
      'indexdef:ai_cost_logs_project_id_created_at_idx',
    ],
    ['table:policies', 'constraint:policies.policies_project_id_fkey', 'policy:policies.policies_select_own'],
  ],
};

describeEachDialect('migrations 001–004: up, down, up again', (ctx) => {
  it('each down removes exactly what its up created, and up again rebuilds the identical schema', async () => {
    const db = ctx.database;
    // Other suites create Supabase's roles on the shared server at any moment; creating them first keeps
    // 004's policies (made only when `authenticated` exists) the same on every up. rls.test.ts covers the other case.
    if (ctx.dialect === 'postgres') await ensureSupabaseRoles(db);
    const snapshots = [await catalogSnapshot(db)];
    expect(snapshots[0]).toEqual([]);

    for (let version = 1; version <= 4; version++) {
      const [result] = await migrateUp(db.url, { ...MIGRATE_OPTIONS, steps: 1 });
      expect(result).toMatchObject({ version, direction: 'up', status: 'applied' });
      const snapshot = await catalogSnapshot(db);
      const newObjects = objectNames(added(snapshots[version - 1]!, snapshot));
      expect(newObjects).toEqual(expect.arrayContaining(EXPECTED_NEW_OBJECTS[ctx.dialect][version - 1]!));
      // Nothing an earlier migration made was changed or removed.
      expect(snapshot).toEqual(expect.arrayContaining(snapshots[version - 1]!));
      snapshots.push(snapshot);
      expect((await trackingRows(db)).map((r) => [r.version, r.state])).toEqual(
        Array.from({ length: version }, (_, i) => [i + 1, 'applied']),
      );
    }

    for (let version = 4; version >= 1; version--) {
      const [result] = await migrateDown(db.url, { ...MIGRATE_OPTIONS, steps: 1 });
      expect(result).toMatchObject({ version, direction: 'down', status: 'reverted' });
      expect(await catalogSnapshot(db)).toEqual(snapshots[version - 1]);
      expect((await trackingRows(db)).map((r) => r.version)).toEqual(
        Array.from({ length: version - 1 }, (_, i) => i + 1),
      );
    }

    for (let version = 1; version <= 4; version++) {
      await migrateUp(db.url, { ...MIGRATE_OPTIONS, steps: 1 });
      expect(await catalogSnapshot(db)).toEqual(snapshots[version]);
    }
  });
});
