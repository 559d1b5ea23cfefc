import { afterEach, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load-config.ts';
import { openDatabase } from '../../src/dialects/open-database.ts';
import type { SchemaSnapshot } from '../../src/engine/schema-snapshot.ts';
import { migrateToLatest } from '../../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { writeMigrationFolder } from '../support/migration-folder.ts';
import { ensureSupabaseRoles } from '../support/supabase-shape.ts';
import { CREATE_ITEMS_TS, secondMigration } from './fixtures.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function snapshotOf(database: TestDatabase): Promise<SchemaSnapshot> {
  const open = await openDatabase(resolveConfig({}, { env: {}, overrides: { url: database.url } }).database);
  try {
    return await open.adapter.snapshotSchema(open.db, {
      schemas: ['public'],
      excludeTables: ['schema_migrations', 'schema_migrations_history'],
    });
  } finally {
    await open.close();
  }
}

describeEachDialect('schema snapshot', (ctx) => {
  it('reads every kind of object, leaves the tracking tables out, and is equal for two builds', async () => {
    const folder = writeMigrationFolder({
      '001_create_items.ts': CREATE_ITEMS_TS,
      ...secondMigration(ctx.dialect),
    });
    cleanups.push(folder.cleanup);
    const other = await createTestDatabase(ctx.dialect);
    cleanups.push(() => other.drop());
    for (const db of [ctx.database, other]) {
      if (ctx.dialect === 'postgres') await ensureSupabaseRoles(db);
      await migrateToLatest(db.url, { config: { migrationsDir: folder.dir } });
    }
    const snapshot = await snapshotOf(ctx.database);
    expect(await snapshotOf(other)).toEqual(snapshot);

    const names = snapshot.objects.map((o) => `${o.kind} ${o.name}`);
    expect(names.filter((n) => n.includes('schema_migrations'))).toEqual([]);
    const get = (kind: string, name: string) =>
      snapshot.objects.find((o) => o.kind === kind && o.name === name)?.properties;

    if (ctx.dialect === 'postgres') {
      expect(names).toEqual([
        'table public.items',
        'table public.owners',
        'column public.items.id',
        'column public.items.label',
        'column public.items.mood',
        'column public.items.owner_id',
        'column public.owners.id',
        'column public.owners.name',
        'constraint public.items.items_owner_fk',
        'constraint public.items.items_pkey',
        'constraint public.owners.owners_name_check',
        'constraint public.owners.owners_name_key',
        'constraint public.owners.owners_pkey',
        'index public.items_label_idx',
        'index public.items_owner_idx',
        'enum public.mood',
        'view public.item_labels',
        'function public.touch()',
        'trigger public.items.items_touch',
        'policy public.items.items_read',
      ]);
      expect(get('table', 'public.items')).toMatchObject({
        rowLevelSecurity: true,
        forceRowLevelSecurity: false,
      });
      expect(get('column', 'public.items.label')).toMatchObject({
        type: 'text',
        nullable: false,
        default: "'x'::text",
      });
      expect(get('column', 'public.owners.id')).toMatchObject({ type: 'integer', identity: 'always' });
      expect(get('constraint', 'public.items.items_owner_fk')).toMatchObject({
        type: 'foreign key',
        references: 'public.owners',
        onDelete: 'cascade',
        onUpdate: 'no action',
      });
      expect(get('index', 'public.items_owner_idx')).toMatchObject({
        unique: false,
        method: 'btree',
        columns: 'owner_id DESC',
        predicate: '(owner_id IS NOT NULL)',
      });
      expect(get('enum', 'public.mood')).toEqual({ labels: ['sad', 'ok', 'happy'] });
      expect(get('function', 'public.touch()')).toMatchObject({ returns: 'trigger', language: 'plpgsql' });
      expect(get('function', 'public.touch()')?.body).toBe(
        'begin new.label = trim(new.label); return new; end',
      );
      expect(get('trigger', 'public.items.items_touch')?.definition).toMatch(
        /BEFORE UPDATE ON public\.items FOR EACH ROW EXECUTE FUNCTION public\.touch\(\)/,
      );
      expect(get('policy', 'public.items.items_read')).toMatchObject({
        command: 'select',
        permissive: true,
        roles: ['authenticated'],
        using: 'true',
      });
    } else {
      expect(names).toEqual([
        'table items',
        'table owners',
        'table tags',
        'column items.id',
        'column items.label',
        'column items.owner_id',
        'column owners.id',
        'column owners.name',
        'column tags.id',
        'column tags.item_id',
        'column tags.tag',
        'constraint items.primary key',
        'constraint owners.check (length(name) > 0)',
        'constraint owners.primary key',
        'constraint owners.unique(name)',
        'constraint tags.foreign key(item_id) → items(id)',
        'constraint tags.primary key',
        'index items_label_idx',
        'index items_owner_idx',
        'view item_labels',
        'trigger items.items_touch',
      ]);
      expect(get('column', 'items.label')).toMatchObject({ type: 'text', nullable: false, default: "'x'" });
      expect(get('constraint', 'tags.foreign key(item_id) → items(id)')).toMatchObject({
        onDelete: 'cascade',
        onUpdate: 'no action',
      });
      expect(get('index', 'items_owner_idx')).toMatchObject({
        unique: false,
        columns: 'owner_id DESC',
        predicate: 'owner_id is not null',
      });
    }
  });
});
