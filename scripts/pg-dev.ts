// A throwaway local PostgreSQL for trying `sf build --target postgres`:
//   node --import jiti/register scripts/pg-dev.ts
// prints the PG* variables to export, and runs until Ctrl-C (then removes the cluster).
import { startPostgres } from '../src/testing/postgres-server.js';

const server = await startPostgres();
console.log(`PostgreSQL is up. In another shell:\n\n  export PGHOST=${server.host} PGPORT=${server.port} PGUSER=${server.user} PGDATABASE=${server.database}\n  npx sf build --target postgres\n\nCtrl-C stops and removes it.`);
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
