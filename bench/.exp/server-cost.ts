import pg from 'pg';
import { createDatabase, startBenchPostgres } from '../lib/postgres-server.ts';
import { STILL_OURS, RECORD_TXID, RESET_SESSION } from '../../src/dialects/postgres/postgres-lock-sql.ts';
const server = await startBenchPostgres();
const db = await createDatabase(server, 'srvcost');
const c = new pg.Client({ connectionString: db.url });
await c.connect();
const variants: Record<string, string> = {
  bare: 'begin; select 1; commit',
  reset: `begin; ${RESET_SESSION}; select 1; commit`,
  txid: `begin; ${RECORD_TXID}; select 1; commit`,
  still: `begin; ${RECORD_TXID}; ${STILL_OURS}; commit`,
  savepoint: `begin; savepoint x; commit`,
  marker: `begin; select set_config('kmigrate.step', '1.2', false); commit`,
};
for (let round = 0; round < 3; round++) {
  const out: string[] = [];
  for (const [name, text] of Object.entries(variants)) {
    const t = performance.now();
    for (let i = 0; i < 2000; i++) await c.query(text);
    out.push(`${name} ${((performance.now() - t) / 2).toFixed(0)}us`);
  }
  console.log(out.join(', '));
}
await c.end(); await db.drop(); await server.stop();
