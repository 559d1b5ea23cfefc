import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  createRepeatableFile,
  FileMigrationProvider,
  formatMigrationId,
  INTEGRITY_SUM_FILE,
  integritySumExists,
  MigrationFileError,
  nextSeedPrefix,
  writeIntegritySum,
} from '../../index.ts';
import type { CommandRunner } from '../command-runner.ts';
import type { CommandContext } from '../context.ts';

const MODULE_TEMPLATE = `import type { Kysely } from 'kysely';

// Runs in a transaction together with its tracking row. For statements that
// cannot (CREATE INDEX CONCURRENTLY), add: export const transaction = false;

// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it is at this point, not the generated types.
export async function up(db: Kysely<any>): Promise<void> {
  // await db.schema.createTable('example').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: as above.
export async function down(db: Kysely<any>): Promise<void> {
  // await db.schema.dropTable('example').execute();
}
`;

const SEED_TEMPLATE = `import type { Kysely } from 'kysely';

// Development data. Runs on every \`kmigrate seed\` and \`kmigrate reset\`, in its own
// transaction, so keep it idempotent: insert … on conflict do nothing, upserts, or check first.

// biome-ignore lint/suspicious/noExplicitAny: seeds see the schema the migrations built.
export async function seed(db: Kysely<any>): Promise<void> {
  // await db.insertInto('example').values({ id: 1, label: 'demo' }).onConflict((oc) => oc.doNothing()).execute();
}
`;

export function registerCreate(program: Command, run: CommandRunner): void {
  program
    .command('create')
    .description('write the next migration file: NNN_description.ts (or .up.sql/.down.sql with --sql)')
    .argument('<description>', 'what it does, e.g. "add user roles"')
    .option('--sql', 'write an .up.sql/.down.sql pair instead of a TypeScript module')
    .option('--ts', 'with --repeatable: write R__description.ts instead of .sql')
    .option('--seed', 'write a seed (seeds/NNN_description.ts, or .sql with --sql) instead of a migration')
    .option('--repeatable', 'write a repeatable migration, R__description.sql (.ts with --ts)')
    .action(
      (
        description: string,
        opts: { sql?: boolean; ts?: boolean; seed?: boolean; repeatable?: boolean },
        cmd: Command,
      ) =>
        run(cmd, async (ctx) => {
          if (opts.seed) return createSeed(ctx, description, opts.sql ?? false);
          if (opts.repeatable) return createRepeatable(ctx, description, opts.ts ?? false);
          const dir = ctx.config.migrationsPath;
          fs.mkdirSync(dir, { recursive: true });
          const sources = await new FileMigrationProvider({ migrationFolder: dir }).loadSources();
          const next = (sources.at(-1)?.version ?? 0) + 1;
          const id = formatMigrationId(next, description);
          if (id.endsWith('_'))
            throw new MigrationFileError(description, 'has no letters or digits to name a file with');
          const files = opts.sql
            ? { [`${id}.up.sql`]: `-- ${description}\n`, [`${id}.down.sql`]: `-- undo: ${description}\n` }
            : { [`${id}.ts`]: MODULE_TEMPLATE };
          for (const [name, content] of Object.entries(files)) {
            fs.writeFileSync(path.join(dir, name), content, { flag: 'wx' });
          }
          const written = Object.keys(files).map((f) => path.relative(ctx.io.cwd, path.join(dir, f)));
          // A new project (no migration before this one) starts with an integrity sum; an existing
          // folder keeps one when it has one. integritySum: false never writes it.
          const setting = ctx.config.integritySum;
          if (setting === true || (setting === undefined && (integritySumExists(dir) || !sources.length))) {
            writeIntegritySum(dir);
            written.push(path.relative(ctx.io.cwd, path.join(dir, INTEGRITY_SUM_FILE)));
          }
          if (ctx.reporter.json) ctx.reporter.emit({ version: next, files: written });
          else
            for (const f of written)
              ctx.reporter.info(`${f.endsWith(INTEGRITY_SUM_FILE) ? 'Updated' : 'Created'} ${f}`);
        }),
    );
}

function createRepeatable(ctx: CommandContext, description: string, ts: boolean): void {
  const dir = ctx.config.migrationsPath;
  const { file } = createRepeatableFile(dir, description, { ts });
  const written = [path.relative(ctx.io.cwd, file)];
  // In the integrity sum like every file of the folder (when the folder keeps one).
  const setting = ctx.config.integritySum;
  if (setting === true || (setting === undefined && integritySumExists(dir))) {
    writeIntegritySum(dir);
    written.push(path.relative(ctx.io.cwd, path.join(dir, INTEGRITY_SUM_FILE)));
  }
  if (ctx.reporter.json) ctx.reporter.emit({ repeatable: written[0], files: written });
  else
    for (const f of written)
      ctx.reporter.info(`${f.endsWith(INTEGRITY_SUM_FILE) ? 'Updated' : 'Created'} ${f}`);
}

function createSeed(ctx: CommandContext, description: string, asSql: boolean): void {
  const dir = ctx.config.seedsPath;
  fs.mkdirSync(dir, { recursive: true });
  const id = formatMigrationId(nextSeedPrefix(dir), description);
  if (id.endsWith('_'))
    throw new MigrationFileError(description, 'has no letters or digits to name a file with');
  const file = asSql ? `${id}.sql` : `${id}.ts`;
  const content = asSql
    ? `-- ${description}\n-- Runs on every \`kmigrate seed\` and \`reset\`, in its own transaction: keep it idempotent,\n-- e.g. insert into example (id, label) values (1, 'demo') on conflict do nothing;\n`
    : SEED_TEMPLATE;
  fs.writeFileSync(path.join(dir, file), content, { flag: 'wx' });
  const written = path.relative(ctx.io.cwd, path.join(dir, file));
  if (ctx.reporter.json) ctx.reporter.emit({ seed: written });
  else ctx.reporter.info(`Created ${written}`);
}
