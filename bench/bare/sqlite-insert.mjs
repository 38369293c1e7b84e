// The reference for `sf seed` on SQLite: the fastest plain loop, one prepared insert per row
// in one transaction (better-sqlite3), rows streamed from csv-parse; values left to column
// affinity, no checks.
//   node bench/bare/sqlite-insert.mjs <db file> <csv> <columns JSON {name: type}>
import { createReadStream } from 'node:fs';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse';

const [dbPath, csv, columns] = process.argv.slice(2);
const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
const names = Object.keys(JSON.parse(columns));
db.exec(`drop table if exists bare; create table bare (${Object.entries(JSON.parse(columns)).map(([n, t]) => `"${n}" ${t}`).join(', ')})`);
const insert = db.prepare(`insert into bare values (${names.map(() => '?').join(', ')})`);
db.exec('begin');
for await (const record of createReadStream(csv).pipe(parse({ from_line: 2 }))) insert.run(record.map((v) => (v === '' ? null : v)));
db.exec('commit');
db.close();
