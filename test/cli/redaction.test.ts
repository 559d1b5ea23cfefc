import { expect, it } from 'vitest';
import { redactUrl } from '../../src/config/database-url.ts';
import { runCliInProcess, runCliProcess } from '../support/cli.ts';
import { createPostgresDatabase } from '../support/databases.ts';
import { tableModule, writeMigrationFolder } from '../support/migration-folder.ts';

const SENTINEL = 'S3ntinel-Pw-9q';

it('redactUrl hides passwords in URLs and key=value strings', () => {
  expect(redactUrl(`postgres://app:${SENTINEL}@db.example.com:5432/x?sslmode=require`)).toBe(
    'postgres://app:***@db.example.com:5432/x?sslmode=require',
  );
  expect(redactUrl(`host=x password=${SENTINEL} user=y`)).toBe('host=x password=*** user=y');
  expect(redactUrl('sqlite:./data/dev.sqlite')).toBe('sqlite:./data/dev.sqlite');
});

// SQLite URLs carry no password, so this is a PostgreSQL test.
it('credentials never appear in success output, errors, --json and --verbose stack traces', async () => {
  const database = await createPostgresDatabase();
  const url = new URL(database.url);
  // A role whose password is the sentinel, so the URL with it really works.
  await database.query(
    `do $$ begin create role sentinel_user login password '${SENTINEL}' superuser; exception when duplicate_object then null; end $$`,
  );
  url.username = 'sentinel_user';
  url.password = SENTINEL;
  const folder = writeMigrationFolder({
    '001_a.ts': tableModule('a'),
    '002_bad.up.sql': 'select * from nowhere;',
  });
  try {
    const outputs = [
      await runCliInProcess(['--url', url.toString(), '--dir', folder.dir, 'up', '--step', '1']),
      await runCliInProcess(['--url', url.toString(), '--dir', folder.dir, 'status', '--json']),
      await runCliInProcess(['--url', url.toString(), '--dir', folder.dir, 'latest', '--verbose']),
      await runCliProcess(['--dir', folder.dir, 'latest', '--verbose'], {
        env: { DATABASE_URL: url.toString() },
      }),
      await runCliInProcess([
        '--url',
        url.toString().replace(SENTINEL, `${SENTINEL}x`),
        '--dir',
        folder.dir,
        'status',
      ]),
      await runCliInProcess(['--url', url.toString().replace(/\d+\//, '1/'), '--dir', folder.dir, 'status']),
    ];
    expect(outputs[0]!.code).toBe(0);
    expect(outputs[2]!.code).toBe(1);
    expect(outputs[3]!.code).toBe(1);
    expect(outputs[4]!.stderr).toMatch(/password authentication failed/);
    expect(outputs[5]!.stderr).toMatch(/connection refused/);
    for (const o of outputs) {
      expect(o.stdout + o.stderr).not.toContain(SENTINEL);
    }
    expect(outputs[1]!.stdout).toContain('sentinel_user:***@');
  } finally {
    folder.cleanup();
    await database.drop();
  }
});
