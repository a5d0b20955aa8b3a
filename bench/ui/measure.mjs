// measure.mjs - see run.sh. Sizes come from web/dist as served (gzip -9,
// the compression tools/embed.c applies); times from Chromium's own
// performance timings.
import { readFileSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'
import { chromium, CHROMIUM_ARGS } from '../../tests/e2e/harness.mjs'

const URL0 = process.env.E2E_URL
const PW = process.env.E2E_ADMIN_PW
const RUNS = parseInt(process.env.RUNS || '10', 10)
const DIST = 'web/dist'

// The first load: what index.html references (script, modulepreload,
// stylesheet), all under /assets/.
const html = readFileSync(join(DIST, 'index.html'), 'utf8')
const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1])
let raw = 0
let gz = 0
const files = []
for (const r of refs) {
  const b = readFileSync(join(DIST, r))
  const g = gzipSync(b, { level: 9 }).length
  raw += b.length
  gz += g
  files.push({ file: r, bytes: b.length, gzip: g })
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

// Records when the first row of the audit table appears.
const ROW_PROBE = `
  new MutationObserver((_, obs) => {
    if (document.querySelector('.el-table__body .el-table__row')) {
      window.__kcRows = performance.now();
      obs.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
`

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: CHROMIUM_ARGS,
})

// warm: the tab has already shown a page of the site (the favicon, no
// script, nothing of the app cached), so the renderer process exists and
// the figure is the app's own cost rather than Chromium's process start.
async function fcpOfLogin(warm) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } })
  const page = await ctx.newPage()
  if (warm) await page.goto(URL0 + '/favicon.svg')
  await page.goto(URL0 + '/login', { waitUntil: 'load' })
  await page.locator('input[name=username]').waitFor()
  const t = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const get = () => {
          const e = performance.getEntriesByName('first-contentful-paint')[0]
          if (e) resolve(e.startTime)
          else setTimeout(get, 20)
        }
        get()
      }),
  )
  await ctx.close()
  return t
}

async function auditListReady(storageState) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, storageState })
  await ctx.addInitScript(ROW_PROBE)
  const page = await ctx.newPage()
  await page.goto(URL0 + '/system/audit')
  await page.locator('.el-table__body .el-table__row').first().waitFor({ timeout: 30000 })
  const t = await page.evaluate(() => window.__kcRows)
  await ctx.close()
  return t
}

// A logged-in cookie for the audit loads.
const login = await browser.newContext()
const res = await login.request.post(URL0 + '/api/v1/session', { data: { username: 'admin', password: PW } })
if (!res.ok()) throw new Error('login failed: ' + res.status())
const state = await login.storageState()
await login.close()

await fcpOfLogin() // warm up the server's page cache
const fcp = []
const fcpWarm = []
const rows = []
for (let i = 0; i < RUNS; i++) fcp.push(await fcpOfLogin(false))
for (let i = 0; i < RUNS; i++) fcpWarm.push(await fcpOfLogin(true))
for (let i = 0; i < RUNS; i++) rows.push(await auditListReady(state))
await browser.close()

const out = {
  chromium: browser.version(),
  runs: RUNS,
  first_load: { files, bytes: raw, gzip: gz },
  login_fcp_ms: { median: median(fcp), all: fcp },
  login_fcp_warm_renderer_ms: { median: median(fcpWarm), all: fcpWarm },
  load_average: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  audit_rows_ms: { median: median(rows), all: rows },
}
if (process.env.OUT) writeFileSync(process.env.OUT, JSON.stringify(out, null, 2) + '\n')

const kb = (n) => (n / 1024).toFixed(1) + ' KiB'
console.log(`| 指标 | 结果 | 目标 |`)
console.log(`| --- | --- | --- |`)
console.log(`| 首次加载 JS+CSS（gzip -9，${files.length} 个文件） | ${kb(gz)}（未压缩 ${kb(raw)}） | ≤ 400 KB |`)
console.log(`| 登录页首次内容绘制（FCP，${RUNS} 次中位数） | ${median(fcp).toFixed(0)} ms | < 500 ms |`)
console.log(`| 同上，标签页已打开过本站（渲染进程已启动，无缓存） | ${median(fcpWarm).toFixed(0)} ms | |`)
console.log(`| 审计日志列表出现数据行（${RUNS} 次中位数） | ${median(rows).toFixed(0)} ms | — |`)
console.log(`\nChromium ${out.chromium}; 每次加载使用新的浏览器上下文（无缓存）; 结束时负载 ${out.load_average}。`)
