// duckdb_stats.mjs - the DuckDB peer of bench/market/stats.sh.
//
//   node duckdb_stats.mjs CSV DB_FILE YEAR SCOPE RUNS
//
// Loads CSV (registered_on, type, path, status, amount, tech_amount: the
// contracts exported from kechuang's database, joined to their unit's
// path) into a table of DB_FILE (timed apart: putting the data at rest),
// then computes RUNS times the three aggregates the API serves for YEAR
// (registered contracts by month, by type, by unit right below SCOPE, each
// for YEAR and YEAR - 1 as the API does for its year-on-year). Prints one
// JSON line: {load_ms, rows, ms: {month: [...], type: [...], unit: [...]},
// groups: {month: {"YYYY-MM": [count, amount, tech]}, ...}} with the
// groups of the last run (YEAR and YEAR - 1 both).
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const req = createRequire(join(here, '..', 'screen', 'package.json'));
const { DuckDBInstance } = await import(
  pathToFileURL(req.resolve('@duckdb/node-api')).href);

const [csv, dbFile, yearArg, scope, runsArg] = process.argv.slice(2);
if (!scope) {
  console.error('usage: node duckdb_stats.mjs CSV DB_FILE YEAR SCOPE RUNS');
  process.exit(2);
}
const year = parseInt(yearArg, 10);
const runs = Math.max(1, parseInt(runsArg, 10) || 1);
const inst = await DuckDBInstance.create(dbFile);
const con = await inst.connect();
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

let t0 = performance.now();
await con.run(
  'CREATE OR REPLACE TABLE contracts AS SELECT registered_on, type, path, ' +
  'status, CAST(amount AS BIGINT) AS amount, ' +
  'CAST(tech_amount AS BIGINT) AS tech_amount ' +
  `FROM read_csv(${q(csv)}, header = true, all_varchar = true)`);
const load_ms = performance.now() - t0;
const rows = Number((await (await con.run(
  'SELECT COUNT(*) FROM contracts')).getRows())[0][0]);

// the unit right below SCOPE (the scope's own id for contracts of the
// scope unit itself), as contract_stats folds paths
const last = scope.replace(/\/$/, '').split('/').pop();
const keys = {
  month: 'SUBSTR(registered_on, 1, 7)',
  type: 'type',
  unit: `CASE WHEN path = ${q(scope)} THEN ${q(last)} ELSE ` +
    `split_part(SUBSTR(path, ${scope.length + 1}), '/', 1) END`,
};
const ms = { month: [], type: [], unit: [] };
const groups = {};
for (let r = 0; r < runs; r++) {
  for (const [g, k] of Object.entries(keys)) {
    t0 = performance.now();
    const res = await con.run(
      `SELECT SUBSTR(registered_on, 1, 4) AS y, ${k} AS k, COUNT(*), ` +
      'SUM(amount), SUM(tech_amount) FROM contracts ' +
      `WHERE status = 'registered' AND path LIKE ${q(scope + '%')} ` +
      `AND registered_on >= '${year - 1}-01-01' ` +
      `AND registered_on <= '${year}-12-31' GROUP BY ALL`);
    const out = await res.getRows();
    ms[g].push(+(performance.now() - t0).toFixed(2));
    groups[g] = {};
    for (const [y, k2, n, a, t] of out) {
      groups[g][`${y}|${k2}`] = [Number(n), Number(a), Number(t)];
    }
  }
}
console.log(JSON.stringify({ load_ms: +load_ms.toFixed(1), rows, ms, groups }));
