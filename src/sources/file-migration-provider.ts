import nodeFsSync from 'node:fs';
import type nodeFs from 'node:fs/promises';
import nodePath from 'node:path';
import { type Migration, type MigrationProvider, sql } from 'kysely';
import type { AnyKysely } from '../engine/any-kysely.ts';
import { MigrationFileError } from '../engine/errors.ts';
import type { RepeatableSource } from '../engine/repeatable-types.ts';
import { lineAndColumn } from '../engine/script-error.ts';
import type { LoadedMigration, MigrationSource, MigrationStep } from '../engine/types.ts';
import { migrationChecksum, normalizeMigrationText } from './checksum.ts';
import { describeLoadError } from './describe-load-error.ts';
import { assertModuleDialects, readModuleDialects, readSqlDialects } from './dialect-marker.ts';
import { importFile } from './import-file.ts';
import { type MigrationFileKind, parseMigrationName } from './migration-name.ts';
import { migrationFolderEntries } from './prisma-layout.ts';
import { MAX_MIGRATION_FILE_BYTES, readRegularFile } from './regular-file.ts';
import { readRepeatables } from './repeatable-files.ts';
import {
  findGooseEnvsub,
  findStrayMarker,
  isBlank,
  readDirectives,
  splitDbmateFile,
  splitGooseFile,
} from './sql-file.ts';

/**
 * Synchronous reads behind the async interface: for a folder of many small
 * files they are ~5x faster than fs/promises (which makes four thread-pool
 * hops per file), and they are most of what a no-op `latest` costs.
 */
/** One strict decoder for every file (a decoder per file cost more than the read). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

const syncFs = {
  readdir: async (folder: string) => migrationFolderEntries(folder),
  readFile: async (file: string) => nodeFsSync.readFileSync(file),
} as unknown as Pick<typeof nodeFs, 'readdir' | 'readFile'>;

export { MAX_MIGRATION_FILE_BYTES };

export interface FileMigrationProviderOptions {
  /** Folder with the migration files. */
  migrationFolder: string;
  /** Injected for tests; defaults to node:fs/promises. */
  fs?: Pick<typeof nodeFs, 'readdir' | 'readFile'>;
  /** Injected for tests; defaults to importFile (TypeScript support loaded on first use). */
  importModule?: (absolutePath: string) => Promise<unknown>;
  /**
   * How Kysely's own Migrator (getMigrations) runs an SQL file. Default: the
   * whole text as one query, which PostgreSQL accepts; pass a dialect's
   * executeScript for SQLite.
   */
  runScript?: (db: AnyKysely, script: string) => Promise<void>;
}

interface FileGroup {
  version: number;
  description: string;
  id: string;
  files: Partial<Record<MigrationFileKind, string>>;
}

/**
 * Loads TypeScript modules and SQL files from one folder, in numeric version
 * order, validating names before any database is touched. It implements
 * Kysely's MigrationProvider, so the same folder also works with Kysely's
 * Migrator.
 */
export class FileMigrationProvider implements MigrationProvider {
  readonly #options: FileMigrationProviderOptions;
  readonly #fs: Pick<typeof nodeFs, 'readdir' | 'readFile'>;
  readonly #import: (absolutePath: string) => Promise<unknown>;

  constructor(options: FileMigrationProviderOptions) {
    this.#options = options;
    this.#fs = options.fs ?? syncFs;
    this.#import = options.importModule ?? importFile;
  }

  /** All migrations, validated and sorted; module code is not imported until load(). */
  async loadSources(): Promise<MigrationSource[]> {
    const entries = await this.#entries();
    const groups = new Map<number, FileGroup>();
    for (const file of entries) {
      const parsed = parseMigrationName(file);
      if (!parsed.ok) {
        if (parsed.ignored) continue;
        throw new MigrationFileError(file, parsed.problem);
      }
      const group = groups.get(parsed.version);
      if (!group) {
        groups.set(parsed.version, {
          version: parsed.version,
          description: parsed.description,
          id: parsed.id,
          files: { [parsed.kind]: file },
        });
        continue;
      }
      // An .up.sql and a .down.sql pair by version, as golang-migrate pairs them, even when their
      // descriptions differ (ente's `30_add_magic_metadata.up.sql` + `30_drop_magic_metadata.down.sql`):
      // the up file names the migration.
      const pairsWithIt =
        (parsed.kind === 'up.sql' && group.files['down.sql'] && !group.files['up.sql']) ||
        (parsed.kind === 'down.sql' && group.files['up.sql'] && !group.files['down.sql']);
      if (pairsWithIt && parsed.kind === 'up.sql') {
        group.description = parsed.description;
        group.id = parsed.id;
      }
      if (!pairsWithIt) {
        const other = Object.values(group.files)[0];
        throw new MigrationFileError(
          file,
          `duplicate version ${parsed.version} (also used by ${other})`,
          'give one of them the next free number',
        );
      }
      group.files[parsed.kind] = file;
    }
    const sorted = [...groups.values()].sort((a, b) => a.version - b.version);
    return Promise.all(sorted.map((group) => this.#toSource(group)));
  }

  /**
   * The repeatable migrations (`R__<description>.sql` / `.ts`), in name order,
   * read and checksummed like versioned ones; modules are imported on load().
   */
  async loadRepeatables(): Promise<RepeatableSource[]> {
    return readRepeatables(await this.#entries(), {
      readText: (file) => this.#readText(file),
      loadModule: (file, dialects) =>
        this.#loadModule(file, nodePath.join(this.#options.migrationFolder, file), dialects),
    });
  }

  /** The folder's file names, sorted; a missing folder or a file in its place is one line. */
  async #entries(): Promise<string[]> {
    const folder = this.#options.migrationFolder;
    try {
      return (await this.#fs.readdir(folder)).map(String).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new MigrationFileError(folder, 'migrations folder does not exist', 'create it or pass --dir');
      }
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') {
        throw new MigrationFileError(
          folder,
          'is a file, not the migrations folder',
          'pass the folder to --dir',
        );
      }
      throw error;
    }
  }

  /** Kysely's MigrationProvider: every migration keyed by its id (e.g. `001_init_schema`). */
  async getMigrations(): Promise<Record<string, Migration>> {
    const run = this.#options.runScript ?? ((db: AnyKysely, script: string) => sql.raw(script).execute(db));
    const result: Record<string, Migration> = {};
    for (const source of await this.loadSources()) {
      const loaded = await source.load();
      const toFn = (step: MigrationStep) => (db: AnyKysely) =>
        step.kind === 'code' ? step.run(db) : run(db, step.sql).then(() => undefined);
      result[source.id] = { up: toFn(loaded.up), ...(loaded.down ? { down: toFn(loaded.down) } : {}) };
    }
    return result;
  }

  async #toSource(group: FileGroup): Promise<MigrationSource> {
    const { files } = group;
    if (files['down.sql'] && !files['up.sql']) {
      throw new MigrationFileError(
        files['down.sql'],
        'has no matching .up.sql',
        `add ${group.id}.up.sql or remove it`,
      );
    }
    const main = files.module ?? files['up.sql'] ?? files.sql;
    if (!main) throw new MigrationFileError(group.id, 'has no up file');
    const mainText = await this.#readText(main);
    // `-- kmigrate:dialects postgres` / `export const dialects = ['postgres']`: read from the text, so that
    // status and planning know it without importing the module.
    const dialects = files.module ? readModuleDialects(mainText, main) : readSqlDialects(mainText, main);
    const base = {
      version: group.version,
      name: group.description,
      id: group.id,
      checksum: migrationChecksum(mainText),
      ...(dialects ? { dialects } : {}),
    };
    if (files.module) {
      const file = files.module;
      const absolute = nodePath.join(this.#options.migrationFolder, file);
      return {
        ...base,
        kind: 'ts',
        files: [file],
        load: () => this.#loadModule(file, absolute, dialects),
      };
    }
    if (files.sql) {
      const file = files.sql;
      const text = normalizeMigrationText(mainText);
      const sections = splitDbmateFile(text) ?? splitGooseFile(text);
      const envsub = findGooseEnvsub(text);
      if (envsub !== undefined) {
        throw new MigrationFileError(
          `${file}:${lineAndColumn(text, envsub.offset).line}`,
          `\`${envsub.text}\` asks goose to put environment variables into the SQL, which kmigrate does not do`,
          'write the values into the file (or keep a copy per environment)',
        );
      }
      const stray = findStrayMarker(text, sections?.markers ?? []);
      if (stray !== undefined) {
        const quoted = `\`${stray.text.slice(0, 40)}\``;
        throw new MigrationFileError(
          `${file}:${lineAndColumn(text, stray.offset).line}`,
          sections
            ? `${quoted} looks like a section marker but is not one (kmigrate reads one up and one down line, \`-- migrate:up\`/\`-- migrate:down\` or \`-- +goose Up\`/\`-- +goose Down\`, at the start of a line), so it would run inside another section`
            : `has a section line ${quoted} but no up line (\`-- migrate:up\` or \`-- +goose Up\`), so its up and down cannot be told apart`,
          sections
            ? 'start the line with it, or reword the comment'
            : 'mark the sections with `-- migrate:up` and `-- migrate:down` (dbmate format), or split it into .up.sql and .down.sql',
        );
      }
      if (sections && isBlank(sections.up)) throw new MigrationFileError(file, 'its up section is empty');
      if (!sections && isBlank(text)) {
        throw new MigrationFileError(
          file,
          'is empty',
          'write the SQL, or a comment saying why it does nothing',
        );
      }
      // Without dbmate's markers the whole file is the up and there is no down: the Supabase CLI's
      // `supabase/migrations/<timestamp>_<name>.sql`, sqlx's and Flyway's plain files.
      const loaded: LoadedMigration = sections
        ? {
            transactional: sections.transaction ?? readDirectives(mainText).transaction ?? true,
            up: { kind: 'sql', file, sql: sections.up },
            ...(sections.down !== undefined && !isBlank(sections.down)
              ? { down: { kind: 'sql', file, sql: sections.down } }
              : {}),
          }
        : {
            transactional: readDirectives(mainText).transaction ?? true,
            up: { kind: 'sql', file, sql: text },
          };
      return { ...base, kind: 'sql', files: [file], load: async () => loaded };
    }
    const upFile = files['up.sql']!;
    if (isBlank(mainText)) {
      throw new MigrationFileError(
        upFile,
        'is empty',
        'write the SQL, or a comment saying why it does nothing',
      );
    }
    const downFile = files['down.sql'];
    const upSql = normalizeMigrationText(mainText);
    // The .down.sql is read when the migration is loaded to run or plan its down, not to list it or
    // to run its up: a status or a no-op `latest` reads one file per migration, and so does a run of ups.
    let loaded: Promise<LoadedMigration> | undefined;
    const up = (): LoadedMigration => ({
      transactional: readDirectives(upSql).transaction ?? true,
      up: { kind: 'sql', file: upFile, sql: upSql },
    });
    const load = async (): Promise<LoadedMigration> => {
      const downText = downFile ? await this.#readText(downFile) : undefined;
      return {
        ...up(),
        // An empty .down.sql is treated as "no down": refusing a rollback beats silently doing nothing.
        ...(downFile && downText !== undefined && !isBlank(downText)
          ? { down: { kind: 'sql', file: downFile, sql: normalizeMigrationText(downText) } }
          : {}),
      };
    };
    return {
      ...base,
      kind: 'sql',
      files: downFile ? [upFile, downFile] : [upFile],
      // A failed read is not kept: fixing the file and loading again must work.
      load: (direction) => {
        if (direction === 'up') return Promise.resolve(up());
        loaded ??= load().catch((error: unknown) => {
          loaded = undefined;
          throw error;
        });
        return loaded;
      },
    };
  }

  async #loadModule(
    file: string,
    absolute: string,
    dialects: MigrationSource['dialects'],
  ): Promise<LoadedMigration> {
    let mod: Record<string, unknown>;
    try {
      mod = (await this.#import(absolute)) as Record<string, unknown>;
    } catch (error) {
      throw new MigrationFileError(file, `cannot be loaded: ${describeLoadError(error)}`, 'fix the module');
    }
    const candidate = (typeof mod.up === 'function' ? mod : (mod.default as Record<string, unknown>)) ?? {};
    const up = candidate.up;
    const down = candidate.down;
    if (typeof up !== 'function') {
      throw new MigrationFileError(
        file,
        'does not export an up function',
        'add `export async function up(db: AnyKysely)`',
      );
    }
    if (down !== undefined && typeof down !== 'function') {
      throw new MigrationFileError(file, 'exports a `down` that is not a function');
    }
    assertModuleDialects(file, candidate.dialects ?? mod.dialects, dialects);
    const transaction = candidate.transaction ?? mod.transaction;
    if (transaction !== undefined && typeof transaction !== 'boolean') {
      throw new MigrationFileError(file, '`export const transaction` must be true or false');
    }
    const call = (fn: unknown) => (db: AnyKysely) => (fn as (db: AnyKysely) => Promise<void>)(db);
    return {
      transactional: transaction !== false,
      up: { kind: 'code', file, run: call(up) },
      ...(typeof down === 'function' ? { down: { kind: 'code', file, run: call(down) } } : {}),
    };
  }

  async #readText(file: string): Promise<string> {
    const buffer = this.#options.fs
      ? await this.#fs.readFile(nodePath.join(this.#options.migrationFolder, file))
      : readRegularFile(this.#options.migrationFolder, file);
    const bytes = typeof buffer === 'string' ? Buffer.from(buffer) : buffer;
    if (bytes.length > MAX_MIGRATION_FILE_BYTES) {
      throw new MigrationFileError(
        file,
        `is ${bytes.length} bytes, over the ${MAX_MIGRATION_FILE_BYTES}-byte limit`,
        'split it into several migrations',
      );
    }
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch {
      throw new MigrationFileError(file, 'is not valid UTF-8', 'save it as UTF-8');
    }
    // SQLite's driver ends a statement at a NUL byte (the rest is silently dropped) and
    // PostgreSQL answers only "invalid message format": refuse it here, with its position.
    const nul = text.indexOf('\u0000');
    if (nul >= 0) {
      const { line, column } = lineAndColumn(text, nul);
      throw new MigrationFileError(
        `${file}:${line}:${column}`,
        'contains a NUL byte',
        'remove it (it usually comes from a bad paste or a UTF-16 save)',
      );
    }
    return text;
  }
}
