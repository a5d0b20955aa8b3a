// compare.mjs - check that kechuang's stored decisions agree with both
// peers on every enterprise: sme-2017's final verdict, and condition by
// condition.
//
//   node compare.mjs KC_SME.csv KC_HNTE.csv SME_ROWS HNTE_ROWS DUCK.csv SQLITE.csv \
//       IDS.csv SME_VERDICTS.csv
//
// IDS.csv: "id,uscc" of the enterprises in the library; SME_VERDICTS.csv:
// the decision list's CSV export for sme-2017 (GET /decisions?ruleset=
// sme-2017&format=csv: USCC first, the verdict's name fourth), whose
// verdicts are compared with the peers' sme_verdict.
//
// KC_*.csv: "enterprise_id,outcomes" from the decisions table; *_ROWS:
// the output of `kechuang snapshot rows --ruleset ...` (position id);
// DUCK.csv / SQLITE.csv: the peers' verdict tables (header: id,
// sme_staff_cap, ..., hnte_c8, sme_verdict). Prints the number of enterprises compared,
// per-condition outcome counts, and up to 20 mismatches; exits 1 when any
// enterprise differs or is missing on one side.
import { readFileSync } from 'node:fs';

const [kcSme, kcHnte, smeRows, hnteRows, duckCsv, sqliteCsv, idsCsv, smeVerdicts,
  hnteVerdicts] = process.argv.slice(2);
if (!hnteVerdicts) {
  console.error('usage: node compare.mjs KC_SME.csv KC_HNTE.csv SME_ROWS HNTE_ROWS ' +
    'DUCK.csv SQLITE.csv IDS.csv SME_VERDICTS.csv HNTE_VERDICTS.csv');
  process.exit(2);
}
const conds = [
  ['sme_staff_cap', 'sme', 'staff_cap'],
  ['sme_sales_cap', 'sme', 'sales_cap'],
  ['sme_assets_cap', 'sme', 'assets_cap'],
  ['sme_score_ok', 'sme', 'score_ok'],
  ['hnte_c4', 'hnte', 'c4'],
  ['hnte_c5', 'hnte', 'c5'],
  ['hnte_c6', 'hnte', 'c6'],
  ['hnte_c1', 'hnte', 'c1'],
  ['hnte_c2', 'hnte', 'c2'],
  ['hnte_c3', 'hnte', 'c3'],
  ['hnte_c8', 'hnte', 'c8'],
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

// RFC 4180 records (quoted fields may hold commas, quotes and newlines)
function csvRecords(text) {
  const out = [];
  let rec = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') { f += '"'; i++; }
      else if (ch === '"') q = false;
      else f += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { rec.push(f); f = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      rec.push(f); f = '';
      out.push(rec); rec = [];
    } else f += ch;
  }
  if (f.length > 0 || rec.length > 0) { rec.push(f); out.push(rec); }
  return out;
}

// kechuang's stored verdicts by id, from the list's export
const names = { '达标': 'met', '未达标': 'unmet', '缺数据': 'unknown' };
const idOf = new Map();
for (const [id, uscc] of csvRecords(readFileSync(idsCsv, 'utf8'))) {
  if (uscc !== undefined) idOf.set(uscc, id);
}
function verdicts(file) {
  const m = new Map();
  const exp = csvRecords(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  for (let i = 1; i < exp.length; i++) {
    const r = exp[i];
    if (r.length < 4) continue;
    const id = idOf.get(r[0]);
    if (id === undefined) {
      console.log(`export: USCC ${r[0]} not in the library`);
      process.exit(1);
    }
    m.set(id, names[r[3]] || r[3]);
  }
  return m;
}
const kcVerdict = verdicts(smeVerdicts);
const kcHnteVerdict = verdicts(hnteVerdicts);
// hnte-2016: pass = c1 and ... and c8. The peers compute all but （七）, so
// their conditions decide the verdict where one of them is N (未达标
// whatever （七） is); and a 达标 needs every one of them Y.
const hnteConds = ['hnte_c1', 'hnte_c2', 'hnte_c3', 'hnte_c4', 'hnte_c5', 'hnte_c6',
  'hnte_c8'];
let hnteDecided = 0;

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
// sqliteCsv '-': the SQLite peer was not run (SQLITE_RUNS=0)
for (const [pname, file] of [['duckdb', duckCsv], ['sqlite', sqliteCsv]]
  .filter(([, f]) => f !== '-')) {
  const p = peer(file);
  if (p.size !== kc.size) {
    console.log(`${pname}: ${p.size} enterprises, kechuang ${kc.size}`);
    bad++;
  }
  if (kcVerdict.size !== kc.size) {
    console.log(`export: ${kcVerdict.size} sme-2017 verdicts, kechuang ${kc.size} decisions`);
    bad++;
  }
  for (const [id, rec] of kc) {
    const q = p.get(id);
    rec.sme_verdict = kcVerdict.get(id) || 'missing';
    for (const [name] of [...conds, ['sme_verdict']]) {
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
    if (!q) continue;
    const hv = kcHnteVerdict.get(id) || 'missing';
    const anyN = hnteConds.some((c) => q[c] === 'N');
    const allY = hnteConds.every((c) => q[c] === 'Y');
    if (anyN && pname === 'duckdb') hnteDecided++;
    if ((anyN && hv !== 'unmet') || (hv === 'met' && !allY)) {
      bad++;
      if (shown.length < 20) {
        shown.push(`${pname} id=${id} hnte-2016 verdict: kechuang ${hv}, ${pname} ` +
          hnteConds.map((c) => q[c]).join(''));
      }
    }
  }
}
console.log(`enterprises compared: ${kc.size}`);
for (const [name] of [...conds, ['sme_verdict']]) {
  console.log(`  ${name}: ${JSON.stringify(counts[name])}`);
}
console.log(`  hnte-2016 verdicts decided by the peers' conditions (未达标): ${hnteDecided}` +
  ` of ${kc.size}; kechuang's 达标 checked against all of them Y`);
for (const s of shown) console.log(`MISMATCH ${s}`);
console.log(bad === 0 ? 'sme-2017 final verdicts, 11 conditions and the hnte-2016 verdicts they decide agree with ' + (sqliteCsv === '-' ? 'DuckDB' : 'DuckDB and SQLite') + ' on every enterprise'
  : `${bad} differences`);
process.exit(bad === 0 ? 0 : 1);
