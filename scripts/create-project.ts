/**
 * Creates a project with an API key and prints the key (once: only its sha256 is stored).
 *
 *   npx tsx scripts/create-project.ts --email you@example.com --project demo [--key-name laptop]
 *
 * Uses DATABASE_URL, else the default SQLite file; the schema must be migrated
 * (`npm run migrate`, or start the app once).
 */
import { parseArgs } from 'node:util';
import { openAppDatabase } from '../src/app/app-database.ts';
import { defaultMigrateOptions, PROJECT_ROOT } from '../src/app/build-app.ts';
import { createProjectWithKey } from '../src/app/create-project.ts';
import { redactUrl } from '../src/config/database-url.ts';
import { resolveConfig } from '../src/config/load-config.ts';

const USAGE =
  'usage: npx tsx scripts/create-project.ts --email <owner email> --project <name> [--key-name <name>]\n';

let values: { email?: string; project?: string; 'key-name': string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      email: { type: 'string' },
      project: { type: 'string' },
      'key-name': { type: 'string', default: 'default' },
      help: { type: 'boolean', short: 'h' },
    },
  }) as { values: typeof values });
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (!values.email || !values.project) {
  process.stderr.write(USAGE);
  process.exit(2);
}
const config = resolveConfig(defaultMigrateOptions().config, { cwd: PROJECT_ROOT, env: process.env });
const database = await openAppDatabase(config.database);
try {
  const created = await createProjectWithKey(database.db, {
    ownerEmail: values.email,
    projectName: values.project,
    keyName: values['key-name'],
  });
  process.stdout.write(
    `project ${created.projectId} "${values.project}" created in ${redactUrl(database.label)}\n` +
      `API key (shown once; send it as "Authorization: Bearer <key>"):\n${created.apiKey}\n`,
  );
} catch (error) {
  process.stderr.write(`create-project failed: ${redactUrl((error as Error).message)}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
