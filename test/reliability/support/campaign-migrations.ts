import type { Dialect } from '../../support/databases.ts';

export interface CampaignMigrations {
  /** File name → content, for createTempProject. */
  files: Record<string, string>;
  count: number;
  /** The one non-transactional migration, when there is one. */
  nonTransactional?: { version: number; index: string; table: string };
}

/**
 * The campaigns' migration set: `count` migrations, a Kysely module (create
 * a table, pause, index it: a kill can land inside the transaction) then
 * `sqlRun` (default two) SQL pairs (create a table, add a column to the
 * previous one, insert a row), and again: SQL steps in a row go in one round
 * trip on PostgreSQL (decision 0007), so kills and crashes land in the middle
 * of one too. Migration `nonTransactionalAt` is a module with
 * `transaction = false` that pauses, creates one index (CONCURRENTLY on
 * PostgreSQL) and pauses again, so a kill can leave it dirty with or without
 * its index. Modules are .mjs (allowed by the naming rule) so the campaigns'
 * thousands of processes start without a TypeScript loader; the engine treats
 * them exactly like .ts modules once imported.
 */
export function campaignMigrations(
  dialect: Dialect,
  options: {
    count?: number;
    nonTransactionalAt?: number;
    pauseMs?: number;
    /** SQL pairs after each module (default 2): on PostgreSQL they go in one round trip (decision 0007). */
    sqlRun?: number;
  } = {},
): CampaignMigrations {
  const count = options.count ?? 30;
  const pause = options.pauseMs ?? 4;
  const files: Record<string, string> = {};
  const nt = options.nonTransactionalAt;
  for (let v = 1; v <= count; v++) {
    const id = String(v).padStart(3, '0');
    const t = `t${id}`;
    if (v === nt) {
      const concurrently = dialect === 'postgres' ? ' concurrently' : '';
      files[`${id}_index_t001_concurrently.mjs`] = `import { sql } from 'kysely';

// Cannot run in a transaction on PostgreSQL (CREATE INDEX CONCURRENTLY).
export const transaction = false;

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

export async function up(db) {
  await pause(40);
  await sql.raw('create index${concurrently} nt_t001_label on t001 (label)').execute(db);
  await pause(40);
}

export async function down(db) {
  await sql.raw('drop index${concurrently} if exists nt_t001_label').execute(db);
}
`;
      continue;
    }
    if (v % ((options.sqlRun ?? 2) + 1) === 1) {
      files[`${id}_create_${t}.mjs`] = `export async function up(db) {
  await db.schema
    .createTable('${t}')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('label', 'text')
    .execute();
  await new Promise((r) => setTimeout(r, ${pause}));
  await db.schema.createIndex('${t}_label_idx').on('${t}').column('label').execute();
}

export async function down(db) {
  await db.schema.dropTable('${t}').execute();
}
`;
      continue;
    }
    const previous = `t${String(v - 1).padStart(3, '0')}`;
    const alterPrevious = v - 1 === nt ? '' : `alter table ${previous} add column note_${id} text;\n`;
    files[`${id}_create_${t}.up.sql`] =
      `-- ${t}, and a column on the previous table\ncreate table ${t} (\n  id integer primary key,\n  label text not null default 'x'\n);\n${alterPrevious}insert into ${t} (id, label) values (1, 'first');\n`;
    files[`${id}_create_${t}.down.sql`] =
      `${alterPrevious ? `alter table ${previous} drop column note_${id};\n` : ''}drop table ${t};\n`;
  }
  return nt === undefined
    ? { files, count }
    : { files, count, nonTransactional: { version: nt, index: 'nt_t001_label', table: 't001' } };
}
