// duckdb_peer.mjs - the DuckDB peer of bench/policy.
//
//   node duckdb_peer.mjs CSV_DIR DB_FILE SQL_FILE RUNS KC_DUMP
//
// Loads the CSV exports (enterprises, enterprise_years, enterprise_facts,
// enterprise_declarations, qualifications, items, tiers, conds) into
// DB_FILE once (timed apart: putting the data at rest), then runs `CREATE
// OR REPLACE TABLE matches AS <policy SQL>` RUNS times, then compares the
// last result with KC_DUMP (`kechuang policy district --dump`) per
// (enterprise, item) over the items the peer computes (conds): a row
// missing on one side is 不符合 with no amount there. Prints the
// disagreements (up to 20) and one JSON line last: {load_ms, ctas_ms:
// [...], ctas_cpu_ms: [...], threads, items, rows, kc_rows, differ,
// per_item: {code: [qualified, unknown, amount]}}; exits 1 on any
// disagreement.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// the DuckDB client bench/screen locks and installs (its package.json)
const screen = new URL('../screen/package.json', import.meta.url);
const { DuckDBInstance } = await import(
  pathToFileURL(createRequire(screen).resolve('@duckdb/node-api')).href);

const [csvDir, dbFile, sqlFile, runsArg, kcDump] = process.argv.slice(2);
if (!kcDump) {
  console.error('usage: node duckdb_peer.mjs CSV_DIR DB_FILE SQL_FILE RUNS KC_DUMP');
  process.exit(2);
}
const runs = Math.max(1, parseInt(runsArg, 10) || 1);
const sql = readFileSync(sqlFile, 'utf8');
const fresh = !existsSync(dbFile);
const inst = await DuckDBInstance.create(dbFile);
const con = await inst.connect();

const big = (c) => `CAST(NULLIF(${c}, '') AS BIGINT) AS ${c}`;
const txt = (c) => `NULLIF(${c}, '') AS ${c}`;
// read as text, cast explicitly: dates stay 'YYYY-MM-DD' text
const tables = {
  enterprises: [big('id'), 'uscc', txt('listing_status'), txt('retired_at')],
  enterprise_years: [big('enterprise_id'), big('year'), big('employees'), big('rd_expense')],
  enterprise_facts: [big('enterprise_id'), 'kind', txt('subkind'), txt('occurred_on'),
    txt('valid_from'), txt('valid_to'), txt('retired_at')],
  enterprise_declarations: [big('enterprise_id'), 'field', big('value'), txt('valid_from'),
    txt('valid_to')],
  qualifications: [big('enterprise_id'), 'kind', txt('basis'), big('year'), txt('issued_on'),
    txt('valid_from'), txt('valid_to'), txt('ended_on')],
  items: ['code', txt('trigger_kind'), txt('trigger_basis'), 'amount_kind', big('amount'),
    txt('figure'), big('rate_bp'), big('cap'), big('year_cap'), txt('eff_from'), txt('eff_to')],
  tiers: ['code', big('k'), big('t_from'), big('amount')],
  conds: ['code', big('hnte'), big('resident'), big('serious'), big('listed'), big('rd_min'),
    big('rd_gt'), big('emp_max'), big('emp_min')],
};

let loadMs = 0;
if (fresh) {
  const t0 = performance.now();
  for (const [name, cols] of Object.entries(tables)) {
    await con.run(
      `CREATE TABLE ${name} AS SELECT ${cols.join(', ')} FROM read_csv('${csvDir}/${name}.csv', ` +
        'header = true, all_varchar = true)');
  }
  await con.run('CHECKPOINT');
  loadMs = performance.now() - t0;
}

const one = async (q) => (await con.runAndReadAll(q)).getRows()[0][0];
const threads = await one("SELECT current_setting('threads')");
const ctas = [];
const ctasCpu = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage(); // the whole process: DuckDB's threads too
  await con.run(`CREATE OR REPLACE TABLE matches AS ${sql}`);
  await con.run('CHECKPOINT');
  const c1 = process.cpuUsage(c0);
  ctas.push(performance.now() - t0);
  ctasCpu.push((c1.user + c1.system) / 1000);
}

// kechuang's rows, only the items the peer computes
await con.run(
  'CREATE OR REPLACE TEMP TABLE kc AS SELECT CAST(enterprise_id AS BIGINT) AS enterprise_id, ' +
    'item, outcome, CAST(amount AS BIGINT) AS amount ' +
    `FROM read_csv('${kcDump}', header = true, all_varchar = true) ` +
    'WHERE item IN (SELECT code FROM conds)');
const diffQ =
  'SELECT COALESCE(k.enterprise_id, m.enterprise_id) AS id, COALESCE(k.item, m.item) AS item, ' +
  "COALESCE(k.outcome, 'not') AS kc_outcome, COALESCE(k.amount, 0) AS kc_amount, " +
  "COALESCE(m.outcome, 'not') AS duck_outcome, COALESCE(m.amount, 0) AS duck_amount " +
  'FROM kc k FULL OUTER JOIN matches m ON m.enterprise_id = k.enterprise_id AND m.item = k.item ' +
  "WHERE COALESCE(k.outcome, 'not') <> COALESCE(m.outcome, 'not') " +
  'OR COALESCE(k.amount, 0) <> COALESCE(m.amount, 0)';
const differ = await one(`SELECT COUNT(*) FROM (${diffQ})`);
if (Number(differ) > 0) {
  const by = (await con.runAndReadAll(
    `SELECT item, kc_outcome, duck_outcome, COUNT(*) FROM (${diffQ}) GROUP BY ALL ORDER BY 4 DESC LIMIT 20`)).getRows();
  for (const r of by) console.log(`DIFFER item ${r[0]}: kechuang ${r[1]}, duckdb ${r[2]}: ${r[3]}`);
  const ex = (await con.runAndReadAll(`${diffQ} ORDER BY 1, 2 LIMIT 20`)).getRows();
  for (const r of ex) {
    console.log(`MISMATCH id=${r[0]} ${r[1]}: kechuang ${r[2]} ${r[3]}, duckdb ${r[4]} ${r[5]}`);
  }
}
const perItem = {};
for (const r of (await con.runAndReadAll(
  "SELECT item, count(*) FILTER (outcome = 'qualified'), count(*) FILTER (outcome = 'unknown'), " +
    'sum(amount) FROM matches GROUP BY item ORDER BY item')).getRows()) {
  perItem[r[0]] = [String(r[1]), String(r[2]), String(r[3])];
}
console.log(JSON.stringify({
  load_ms: loadMs, ctas_ms: ctas, ctas_cpu_ms: ctasCpu, threads: String(threads),
  items: String(await one('SELECT COUNT(*) FROM conds')),
  rows: String(await one('SELECT COUNT(*) FROM matches')),
  kc_rows: String(await one('SELECT COUNT(*) FROM kc')),
  differ: String(differ), per_item: perItem,
}));
con.closeSync?.();
process.exit(Number(differ) === 0 ? 0 : 1);
