// compare.mjs - check that kechuang's stored decisions agree with both
// peers on every enterprise, condition by condition.
//
//   node compare.mjs KC_SME.csv KC_HNTE.csv SME_ROWS HNTE_ROWS DUCK.csv SQLITE.csv
//
// KC_*.csv: "enterprise_id,outcomes" from the decisions table; *_ROWS:
// the output of `kechuang snapshot rows --ruleset ...` (position id);
// DUCK.csv / SQLITE.csv: the peers' verdict tables (header: id,
// sme_staff_cap, ..., hnte_c6). Prints the number of enterprises compared,
// per-condition outcome counts, and up to 20 mismatches; exits 1 when any
// enterprise differs or is missing on one side.
import { readFileSync } from 'node:fs';

const [kcSme, kcHnte, smeRows, hnteRows, duckCsv, sqliteCsv] = process.argv.slice(2);
const conds = [
  ['sme_staff_cap', 'sme', 'staff_cap'],
  ['sme_sales_cap', 'sme', 'sales_cap'],
  ['sme_assets_cap', 'sme', 'assets_cap'],
  ['sme_score_ok', 'sme', 'score_ok'],
  ['hnte_c4', 'hnte', 'c4'],
  ['hnte_c5', 'hnte', 'c5'],
  ['hnte_c6', 'hnte', 'c6'],
];

function rowPositions(file) {
  const pos = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [p, id] = line.trim().split(' ');
    if (id !== undefined) pos.set(id, Number(p));
  }
  return pos;
}

function lines(file) {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
}

const pos = { sme: rowPositions(smeRows), hnte: rowPositions(hnteRows) };
for (const [, rs, item] of conds) {
  if (!pos[rs].has(item)) {
    console.error(`no row ${item} in ${rs}`);
    process.exit(2);
  }
}

// kechuang: id -> outcome letters per condition
const kc = new Map();
for (const [file, rs] of [[kcSme, 'sme'], [kcHnte, 'hnte']]) {
  for (const l of lines(file)) {
    const comma = l.indexOf(',');
    const id = l.slice(0, comma);
    const oc = l.slice(comma + 1).replace(/^"|"$/g, '').replace(/^X+/, '');
    let rec = kc.get(id);
    if (!rec) kc.set(id, (rec = {}));
    for (const [name, r, item] of conds) {
      if (r === rs) rec[name] = oc[pos[rs].get(item)];
    }
  }
}

function peer(file) {
  const ls = lines(file);
  const head = ls[0].split(',');
  const m = new Map();
  for (let i = 1; i < ls.length; i++) {
    const f = ls[i].split(',');
    const rec = {};
    head.forEach((h, k) => { rec[h] = f[k].replace(/^"|"$/g, ''); });
    m.set(rec.id, rec);
  }
  return m;
}

let bad = 0;
const counts = {};
const shown = [];
for (const [pname, file] of [['duckdb', duckCsv], ['sqlite', sqliteCsv]]) {
  const p = peer(file);
  if (p.size !== kc.size) {
    console.log(`${pname}: ${p.size} enterprises, kechuang ${kc.size}`);
    bad++;
  }
  for (const [id, rec] of kc) {
    const q = p.get(id);
    for (const [name] of conds) {
      const a = rec[name];
      const b = q ? q[name] : 'missing';
      if (pname === 'duckdb') {
        counts[name] = counts[name] || {};
        counts[name][a] = (counts[name][a] || 0) + 1;
      }
      if (a !== b) {
        bad++;
        if (shown.length < 20) shown.push(`${pname} id=${id} ${name}: kechuang ${a}, ${pname} ${b}`);
      }
    }
  }
}
console.log(`enterprises compared: ${kc.size}`);
for (const [name] of conds) console.log(`  ${name}: ${JSON.stringify(counts[name])}`);
for (const s of shown) console.log(`MISMATCH ${s}`);
console.log(bad === 0 ? 'verdicts agree with DuckDB and SQLite on every enterprise'
  : `${bad} differences`);
process.exit(bad === 0 ? 0 : 1);
