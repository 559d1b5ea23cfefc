import pg from 'pg';

/**
 * A second session holding ACCESS EXCLUSIVE on `table` in an open transaction, as a long report
 * query or a stuck deploy would. `release` rolls it back and disconnects (once; later calls do nothing).
 */
export async function holdTableLock(url: string, table: string): Promise<{ release(): Promise<void> }> {
  const holder = new pg.Client({ connectionString: url, application_name: 'report-query' });
  await holder.connect();
  await holder.query('begin');
  await holder.query(`lock table ${table} in access exclusive mode`);
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      await holder.query('rollback');
      await holder.end();
    },
  };
}
