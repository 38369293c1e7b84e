// The reference for `sf seed` on DuckDB: read_csv of the same file into a table, with the
// same reading options sf uses, and the same declared types (or DuckDB's own sniffer).
//   node bench/bare/duckdb-load.mjs <db file> <csv> <columns JSON {name: type} | auto>
import { DuckDBInstance } from '@duckdb/node-api';

const [dbPath, csv, columns] = process.argv.slice(2);
const instance = await DuckDBInstance.create(dbPath);
const db = await instance.connect();
const lit = (s) => `'${s.replace(/'/g, "''")}'`;
const options = columns === 'auto'
  ? 'header = true, auto_detect = true'
  : `header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', nullstr = '', allow_quoted_nulls = false,
     columns = {${Object.entries(JSON.parse(columns)).map(([n, t]) => `${lit(n)}: ${lit(t)}`).join(', ')}}`;
await db.run(`create or replace table bare as select * from read_csv(${lit(csv)}, ${options})`);
db.closeSync();
instance.closeSync();
