// duckdb_peer.mjs - the DuckDB peer of bench/import.
//
//   node duckdb_peer.mjs CSV_FILE DB_FILE TABLE
//
// Creates TABLE in DuckDB's own database file DB_FILE from CSV_FILE (UTF-8,
// header row) with `CREATE TABLE ... AS SELECT * FROM read_csv(...)` and a
// CHECKPOINT, i.e. the rows at rest in DuckDB's storage, typed by DuckDB's
// sniffer, unvalidated. Prints one JSON line: {ms, rows}.
import { DuckDBInstance } from '@duckdb/node-api';

const [csvFile, dbFile, table] = process.argv.slice(2);
if (!table || !/^[a-z_]+$/.test(table)) {
  console.error('usage: node duckdb_peer.mjs CSV_FILE DB_FILE TABLE');
  process.exit(2);
}
const inst = await DuckDBInstance.create(dbFile);
const con = await inst.connect();
const lit = csvFile.replace(/'/g, "''");
const t0 = process.hrtime.bigint();
await con.run(`CREATE TABLE ${table} AS SELECT * FROM read_csv('${lit}', header = true)`);
await con.run('CHECKPOINT');
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const r = await con.runAndReadAll(`SELECT count(*) AS n FROM ${table}`);
const rows = Number(r.getRowObjects()[0].n);
console.log(JSON.stringify({ ms, rows }));
con.closeSync();
