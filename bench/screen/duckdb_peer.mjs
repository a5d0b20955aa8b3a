// duckdb_peer.mjs - the DuckDB peer of bench/screen.
//
//   node duckdb_peer.mjs CSV_DIR DB_FILE SQL_FILE RUNS OUT_CSV
//
// Loads the CSV exports of the library (enterprises, org_units,
// enterprise_years, ip_rights, enterprise_facts, platforms,
// enterprise_declarations, qualifications) into DB_FILE once (timed apart: this is
// putting the data at rest), then runs `CREATE OR REPLACE TABLE verdicts
// AS <screening SQL>` RUNS times, and writes the verdicts of the last run
// to OUT_CSV ordered by id. Prints one JSON line: {load_ms, ctas_ms: [...],
// ctas_cpu_ms: [...] (user + system CPU time of the process, all of
// DuckDB's threads), threads, rows}.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, existsSync } from 'node:fs';

const [csvDir, dbFile, sqlFile, runsArg, outCsv] = process.argv.slice(2);
if (!outCsv) {
  console.error('usage: node duckdb_peer.mjs CSV_DIR DB_FILE SQL_FILE RUNS OUT_CSV');
  process.exit(2);
}
const runs = Math.max(1, parseInt(runsArg, 10) || 1);
const sql = readFileSync(sqlFile, 'utf8');
const fresh = !existsSync(dbFile);
const inst = await DuckDBInstance.create(dbFile);
const con = await inst.connect();

// Columns are read as text and cast explicitly so that dates stay
// 'YYYY-MM-DD' text as in SQLite and the same SQL runs in both.
const tables = {
  org_units: 'CAST(id AS BIGINT) AS id, path',
  enterprises:
    'CAST(id AS BIGINT) AS id, CAST(unit_id AS BIGINT) AS unit_id, uscc, ' +
    "NULLIF(established_on, '') AS established_on, " +
    "CAST(NULLIF(tech_domain, '') AS BIGINT) AS tech_domain, NULLIF(retired_at, '') AS retired_at",
  enterprise_years:
    'CAST(enterprise_id AS BIGINT) AS enterprise_id, CAST(year AS BIGINT) AS year, ' +
    ['employees', 'tech_staff', 'sales_revenue', 'total_revenue', 'hitech_income',
      'rd_expense', 'rd_domestic', 'total_cost', 'total_assets']
      .map((c) => `CAST(NULLIF(${c}, '') AS BIGINT) AS ${c}`).join(', '),
  ip_rights:
    'CAST(enterprise_id AS BIGINT) AS enterprise_id, CAST(klass AS BIGINT) AS klass, ' +
    "status, NULLIF(granted_on, '') AS granted_on, NULLIF(expires_on, '') AS expires_on, " +
    "NULLIF(acquired_on, '') AS acquired_on, CAST(main_product AS BIGINT) AS main_product, " +
    "CAST(NULLIF(hnte_year, '') AS BIGINT) AS hnte_year, " +
    "NULLIF(retired_at, '') AS retired_at",
  enterprise_facts:
    'CAST(enterprise_id AS BIGINT) AS enterprise_id, kind, NULLIF(subkind, \'\') AS subkind, ' +
    "NULLIF(level, '') AS level, CAST(NULLIF(rank, '') AS BIGINT) AS rank, " +
    "NULLIF(occurred_on, '') AS occurred_on, NULLIF(valid_from, '') AS valid_from, " +
    "NULLIF(valid_to, '') AS valid_to, NULLIF(retired_at, '') AS retired_at",
  platforms:
    "CAST(NULLIF(host_enterprise_id, '') AS BIGINT) AS host_enterprise_id, kind, " +
    "NULLIF(level, '') AS level, NULLIF(recognized_on, '') AS recognized_on, " +
    "NULLIF(status_on, '') AS status_on",
  enterprise_declarations:
    'CAST(enterprise_id AS BIGINT) AS enterprise_id, field, CAST(year AS BIGINT) AS year, ' +
    "CAST(value AS BIGINT) AS value, NULLIF(valid_from, '') AS valid_from, " +
    "NULLIF(valid_to, '') AS valid_to",
  qualifications:
    "CAST(enterprise_id AS BIGINT) AS enterprise_id, kind, NULLIF(valid_from, '') AS valid_from, " +
    "NULLIF(valid_to, '') AS valid_to, NULLIF(ended_on, '') AS ended_on",
};

let loadMs = 0;
if (fresh) {
  const t0 = performance.now();
  for (const [name, cols] of Object.entries(tables)) {
    await con.run(
      `CREATE TABLE ${name} AS SELECT ${cols} FROM read_csv('${csvDir}/${name}.csv', ` +
        "header = true, all_varchar = true)");
  }
  await con.run('CHECKPOINT');
  loadMs = performance.now() - t0;
}

const threads = (await con.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0];
const ctas = [];
const ctasCpu = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage(); // the whole process: DuckDB's threads too
  await con.run(`CREATE OR REPLACE TABLE verdicts AS ${sql}`);
  await con.run('CHECKPOINT');
  const c1 = process.cpuUsage(c0);
  ctas.push(performance.now() - t0);
  ctasCpu.push((c1.user + c1.system) / 1000);
}
const rows = (await con.runAndReadAll('SELECT COUNT(*) FROM verdicts')).getRows()[0][0];
await con.run(`COPY (SELECT * FROM verdicts ORDER BY id) TO '${outCsv}' (HEADER true)`);
console.log(JSON.stringify({ load_ms: loadMs, ctas_ms: ctas, ctas_cpu_ms: ctasCpu, threads: String(threads), rows: String(rows) }));
con.closeSync?.();
