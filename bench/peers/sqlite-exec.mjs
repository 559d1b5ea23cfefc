// B2 floor on SQLite (psql's counterpart): the concatenated SQL in one transaction, in one process.
// Usage: node bench/peers/sqlite-exec.mjs <file.sqlite> <all.sql>
import fs from 'node:fs';
import Database from 'better-sqlite3';

const [file, script] = process.argv.slice(2);
const db = new Database(file);
db.pragma('journal_mode = wal');
db.exec(`begin;\n${fs.readFileSync(script, 'utf8')}\ncommit;`);
db.close();
