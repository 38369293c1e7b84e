// The reference for `sf seed` on PostgreSQL: COPY of the file's bytes into a table of the same
// types, as psql's \copy does.
//   node bench/bare/pg-copy.mjs <postgres url> <csv> <columns JSON {name: type}>
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const [url, csv, columns] = process.argv.slice(2);
const client = new pg.Client({ connectionString: url });
await client.connect();
const cols = Object.entries(JSON.parse(columns)).map(([n, t]) => `"${n}" ${t}`).join(', ');
await client.query('begin');
await client.query(`drop table if exists bare; create table bare (${cols})`);
await pipeline(createReadStream(csv), client.query(copyFrom("copy bare from stdin with (format csv, header true)")));
await client.query('commit');
await client.end();
