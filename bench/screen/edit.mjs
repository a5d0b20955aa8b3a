// edit.mjs - bench (e) of bench/screen: edit one enterprise through the
// API of a running server, then read its new verdict back, as a user does.
//
//   node edit.mjs URL USER PASSWORD AS_OF RUNS
//
// Picks an enterprise whose stored sme-2017 decision is 达标 (met), and
// RUNS times alternately sets its employees of the evaluation year - 1 to
// 600 (over sme-2017's 500 cap: the verdict must become 未达标) and back to
// the original figure (达标 again). Each run times, in milliseconds of
// wall time seen by this client:
//
//   put     PUT /enterprises/{id}/years/{y} (the write, with its audit)
//   live    GET /enterprises/{id}/eligibility?ruleset=sme-2017: the
//           enterprise evaluated now, the new verdict in the answer
//   list    GET /decisions?ruleset=sme-2017&q=USCC right after the edit:
//           the stored decision (old verdict, flagged stale)
//   screen  POST /screenings {sme-2017, hnte-2016} (the whole district),
//           GET /jobs/{id} every 20 ms until done, then GET /decisions?q=
//           USCC: the new stored verdict. Includes up to 20 ms of polling.
//
// Prints one JSON line with every run and the medians; exits 1 when a
// verdict read back is not the expected one. The original figure is
// written back at the end.
const [url, user, pass, asOf, runsArg] = process.argv.slice(2);
if (!runsArg) {
  console.error('usage: node edit.mjs URL USER PASSWORD AS_OF RUNS');
  process.exit(2);
}
const runs = Math.max(1, parseInt(runsArg, 10) || 1);
const api = `${url}/api/v1`;
const year = Number(asOf.slice(0, 4)) - 1;
let cookie = '';
let csrf = '';

async function call(method, path, body) {
  const headers = { Cookie: cookie };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  const t0 = performance.now();
  const r = await fetch(api + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  const ms = performance.now() - t0;
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return { ms, json: text ? JSON.parse(text) : null, res: r };
}

const login = await fetch(`${api}/session`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ username: user, password: pass }),
});
if (login.status !== 200) throw new Error(`login: ${login.status}`);
cookie = login.headers.get('set-cookie').split(';')[0];
csrf = (await login.json()).csrf_token;

// a met enterprise from the middle of the stored list
const met = '/decisions?ruleset=sme-2017&verdict=met&page_size=1';
const nMet = (await call('GET', `${met}&page=1`)).json.total;
const pick = await call('GET', `${met}&page=${Math.max(1, Math.ceil(nMet / 2))}`);
const ent = pick.json.items[0];
if (!ent) throw new Error('no enterprise with a met sme-2017 decision');
const id = ent.enterprise_id;
const years = (await call('GET', `/enterprises/${id}/years`)).json.items;
const orig = years.find((x) => x.year === year)?.values?.employees;
if (orig === undefined || orig === null || orig > 500) {
  throw new Error(`enterprise ${id}: employees[${year}] = ${orig}`);
}

const q = encodeURIComponent(ent.uscc);
const out = [];
let bad = 0;
for (let i = 0; i < runs; i++) {
  const value = i % 2 === 0 ? 600 : orig;
  const want = i % 2 === 0 ? 'unmet' : 'met';
  const put = await call('PUT', `/enterprises/${id}/years/${year}`, { employees: value });
  const live = await call('GET', `/enterprises/${id}/eligibility?ruleset=sme-2017&as_of=${asOf}`);
  const liveV = live.json.results.find((r) => r.ruleset === 'sme-2017').verdict;
  const list = await call('GET', `/decisions?ruleset=sme-2017&q=${q}`);
  const before = list.json.items[0];
  const t0 = performance.now();
  const job = await call('POST', '/screenings', { rulesets: ['sme-2017', 'hnte-2016'], as_of: asOf });
  let st = job.json;
  while (st.status !== 'done') {
    if (st.status === 'failed' || st.status === 'cancelled') {
      throw new Error(`screening ${st.id}: ${st.status} ${JSON.stringify(st.error)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
    st = (await call('GET', `/jobs/${st.id}`)).json;
  }
  const after = (await call('GET', `/decisions?ruleset=sme-2017&q=${q}`)).json.items[0];
  const screen = performance.now() - t0;
  const rec = {
    employees: value, put_ms: put.ms, live_ms: live.ms, live_verdict: liveV,
    list_ms: list.ms, list_verdict: before?.verdict, list_stale: before?.stale,
    screen_ms: screen, stored_verdict: after?.verdict,
  };
  if (liveV !== want || rec.stored_verdict !== want) bad++;
  out.push(rec);
}
if (runs % 2 === 1) {
  await call('PUT', `/enterprises/${id}/years/${year}`, { employees: orig });
}
const med = (k) => {
  const a = out.map((r) => r[k]).sort((x, y) => x - y);
  return Math.round(a[Math.floor((a.length - 1) / 2)] * 10) / 10;
};
console.log(JSON.stringify({
  enterprise_id: id, year, employees: orig, runs: out,
  median: { put_ms: med('put_ms'), live_ms: med('live_ms'), list_ms: med('list_ms'),
    screen_ms: med('screen_ms') },
  verdicts_ok: bad === 0,
}));
process.exit(bad === 0 ? 0 : 1);
