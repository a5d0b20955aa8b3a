// one.mjs - one enterprise's 可享政策 through the API of a running server
// (GET /enterprises/{id}/policies?year=Y, what the enterprise's tab asks
// for), for N enterprises spread evenly over the ids in IDS_FILE (one id
// a line), one request at a time, after WARM untimed requests.
//
//   node one.mjs URL USER PASSWORD YEAR IDS_FILE N
//
// Prints one JSON line: {n, items, p50_ms, p90_ms, p99_ms, max_ms}
// (wall time seen by this client, HTTP and JSON included).
import { readFileSync } from 'node:fs';

const [url, user, pass, year, idsFile, nArg] = process.argv.slice(2);
if (!nArg) {
  console.error('usage: node one.mjs URL USER PASSWORD YEAR IDS_FILE N');
  process.exit(2);
}
const api = `${url}/api/v1`;
const ids = readFileSync(idsFile, 'utf8').split('\n').filter((l) => l.length > 0);
const n = Math.min(ids.length, Math.max(1, parseInt(nArg, 10) || 1));
const login = await fetch(`${api}/session`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ username: user, password: pass }),
});
if (login.status !== 200) throw new Error(`login: ${login.status}`);
const cookie = login.headers.get('set-cookie').split(';')[0];

async function one(id) {
  const t0 = performance.now();
  const r = await fetch(`${api}/enterprises/${id}/policies?year=${year}`,
    { headers: { Cookie: cookie } });
  const j = await r.json();
  const ms = performance.now() - t0;
  if (r.status !== 200) throw new Error(`enterprise ${id}: ${r.status} ${JSON.stringify(j)}`);
  return { ms, items: j.items.length };
}

for (let i = 0; i < 5; i++) await one(ids[i]);
const ms = [];
let items = 0;
for (let i = 0; i < n; i++) {
  const r = await one(ids[Math.floor((i * ids.length) / n)]);
  ms.push(r.ms);
  items = r.items;
}
ms.sort((a, b) => a - b);
const q = (p) => ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)];
console.log(JSON.stringify({ n, items, p50_ms: q(0.5), p90_ms: q(0.9), p99_ms: q(0.99),
  max_ms: ms[ms.length - 1] }));
