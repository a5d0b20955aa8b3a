// login.mjs - see login.sh. The wait after login, measured the way a user
// meets it: a fresh browser context (empty cache) opens the login page,
// then the clock starts at the click on 登录 and stops when the enterprise
// list shows its rows; then, on the first enterprise's detail page, each
// tab from its click until its data are shown (no loading mask left in
// the pane, the pane's table or ladder rendered). Each phase records the
// requests it made (count, bytes as transferred, the longest chain of
// requests that started only after an earlier one ended) and which chunks
// of the build were fetched.
import { readFileSync, writeFileSync } from 'node:fs'
import { chromium, CHROMIUM_ARGS } from '../../tests/e2e/harness.mjs'

const URL0 = process.env.E2E_URL
const PW = process.env.E2E_ADMIN_PW
const RUNS = parseInt(process.env.RUNS || '5', 10)

const median = (a) => {
  const s = [...a].sort((x, y) => x - y)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

// What "shown" means for each phase: a selector that exists only once the
// data are rendered, inside the visible pane, and no loading mask that is
// not already fading out.
const TABS = [
  { name: 'years', label: '年度数据', ready: '[data-test=years-table] .el-table__row' },
  { name: 'ip', label: '知识产权', ready: '[data-test=ip-table] .el-table__body' },
  { name: 'facts', label: '资质与荣誉', ready: '[data-test=fact-table] .el-table__body' },
  { name: 'ladder', label: '梯度', ready: '[data-test=ladder] [data-test=tier-verdict]' },
  { name: 'changes', label: '变更记录', ready: '[data-test=changes-table] .el-table__body' },
  { name: 'basic', label: '基本信息', ready: '[data-test=ent-basic]' },
]

// In the page: resolves with the time (epoch ms, as Playwright's request
// timings) when `sel` matches inside
// `root` and `root` holds no loading mask that is still shown.
const WAIT_READY = ([rootSel, sel]) =>
  new Promise((resolve) => {
    const check = () => {
      const root = document.querySelector(rootSel)
      if (root && root.querySelector(sel)) {
        if (!window.__kcSeen) window.__kcSeen = performance.timeOrigin + performance.now()
        const masks = [...root.querySelectorAll('.el-loading-mask')].filter(
          (m) => m.style.display !== 'none' && !m.className.includes('leave'),
        )
        if (!masks.length) return resolve(performance.timeOrigin + performance.now())
      }
      requestAnimationFrame(check)
    }
    check()
  })

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: CHROMIUM_ARGS,
})

function recorder(page) {
  const reqs = []
  page.on('requestfinished', async (r) => {
    const t = r.timing()
    let size = 0
    try {
      const s = await r.sizes()
      size = s.responseBodySize + s.responseHeadersSize
    } catch {}
    reqs.push({ url: r.url().replace(URL0, ''), start: t.startTime, end: t.startTime + t.responseEnd, size })
  })
  return reqs
}

// Requests of a phase and the depth of their dependency chain: a request
// is one step deeper than the deepest request that ended before it began.
function summary(reqs, from, to) {
  const rs = reqs.filter((r) => r.start >= from - 1 && r.start <= to + 1).sort((a, b) => a.start - b.start)
  for (const r of rs) {
    let d = 0
    for (const q of rs) if (q !== r && q.end <= r.start) d = Math.max(d, q.depth || 0)
    r.depth = d + 1
  }
  const chunks = rs.filter((r) => r.url.startsWith('/assets/')).map((r) => r.url.replace(/^\/assets\//, ''))
  return {
    requests: rs.length,
    api: rs.filter((r) => r.url.startsWith('/api/')).length,
    bytes: rs.reduce((s, r) => s + r.size, 0),
    chain: rs.reduce((m, r) => Math.max(m, r.depth), 0),
    echarts: chunks.some((c) => /^(echarts|EChart)-/.test(c)),
    list: rs.map((r) => `${(r.start - from).toFixed(0)}+${(r.end - r.start).toFixed(0)} ${r.url} ${r.size}`),
  }
}

async function oneRun() {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' })
  const page = await ctx.newPage()
  const reqs = recorder(page)
  // the landing page is the 工作台; the step measured is login → the
  // enterprise list's rows, as a user who follows a link to it meets it
  await page.goto(URL0 + '/login?redirect=%2Fenterprises', { waitUntil: 'load' })
  await page.locator('input[name=username]').fill('admin')
  await page.locator('input[name=password]').fill(PW)
  await page.waitForTimeout(300)
  const out = { tabs: {} }
  // the click is timed in the page: performance.now() at the click event
  await page.evaluate(() => {
    document.addEventListener('click', () => (window.__kcClick = performance.timeOrigin + performance.now()), { capture: true, once: true })
  })
  await page.locator('button[type=submit], [data-test=login-submit]').first().click()
  const rowsAt = await page.evaluate(WAIT_READY, ['#kc-main', '.el-table__body .el-table__row'])
  const clickAt = await page.evaluate(() => window.__kcClick)
  out.login_rows_seen_ms = (await page.evaluate(() => window.__kcSeen)) - clickAt
  await page.waitForTimeout(300)
  out.login_rows_ms = rowsAt - clickAt
  out.login = summary(reqs, clickAt, rowsAt)

  // the first enterprise's detail page
  await page.evaluate(() => {
    document.addEventListener('click', () => (window.__kcClick = performance.timeOrigin + performance.now()), { capture: true, once: true })
  })
  await page.locator('#kc-main .el-table__body .el-table__row a').first().click()
  const detAt = await page.evaluate(WAIT_READY, ['#kc-main', '[data-test=ent-basic]'])
  const c2 = await page.evaluate(() => window.__kcClick)
  out.detail_ms = detAt - c2
  out.detail = summary(reqs, c2, detAt)
  await page.waitForTimeout(300)

  for (const t of TABS) {
    await page.evaluate(() => {
      document.addEventListener('click', () => (window.__kcClick = performance.timeOrigin + performance.now()), { capture: true, once: true })
    })
    await page.locator(`.el-tabs__item#tab-${t.name}`).click()
    const at = await page.evaluate(WAIT_READY, [`#pane-${t.name}`, t.ready])
    const c = await page.evaluate(() => window.__kcClick)
    out.tabs[t.name] = { ms: at - c, ...summary(reqs, c, at) }
    await page.waitForTimeout(300)
  }
  await ctx.close()
  return out
}

const runs = []
await oneRun() // warms the server's page cache; not counted
for (let i = 0; i < RUNS; i++) runs.push(await oneRun())
await browser.close()

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
const res = {
  chromium: browser.version(),
  runs: RUNS,
  load_average_end: load,
  login_rows_ms: median(runs.map((r) => r.login_rows_ms)),
  detail_ms: median(runs.map((r) => r.detail_ms)),
  tabs_ms: Object.fromEntries(TABS.map((t) => [t.name, median(runs.map((r) => r.tabs[t.name].ms))])),
  all: runs,
}
if (process.env.OUT) writeFileSync(process.env.OUT, JSON.stringify(res, null, 2) + '\n')

const last = runs[runs.length - 1]
const row = (what, ms, s) =>
  `| ${what} | ${ms.toFixed(0)} ms | ${s.requests}（API ${s.api}） | ${(s.bytes / 1024).toFixed(1)} KiB | ${s.chain} | ${s.echarts ? '是' : '否'} |`
console.log(`| 步骤（${RUNS} 次中位数） | 用时 | 请求数 | 传输量 | 串行层数 | 加载 ECharts |`)
console.log(`| --- | --- | --- | --- | --- | --- |`)
console.log(row('点击登录 → 企业名录出现数据行', res.login_rows_ms, last.login))
console.log(row('名录点击企业 → 详情基本信息', res.detail_ms, last.detail))
for (const t of TABS) console.log(row(`标签「${t.label}」`, res.tabs_ms[t.name], last.tabs[t.name]))
console.log(`\nChromium ${res.chromium}; 每次一个新的浏览器上下文（无缓存）; 结束时负载 ${load}。`)
if (process.env.VERBOSE) {
  console.log('\n登录阶段的请求（开始ms+用时ms 路径 字节）：')
  for (const l of last.login.list) console.log('  ' + l)
  for (const t of TABS) {
    console.log(`\n标签 ${t.name}：`)
    for (const l of last.tabs[t.name].list) console.log('  ' + l)
  }
}
