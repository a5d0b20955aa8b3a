// uiload.test.mjs - what the first pages after login load (issue 22, item
// 21), asserted without timing: the code of the shell and of the first
// page is fetched while the server checks the password; the list and its
// code tables are asked for together; the first paint stays within a
// request and byte budget, loads no ECharts and renders none of the
// pop-up lists, and leaves closed dialogs, the 持有资质 filter's date
// picker and its code table for when they are opened; a detail tab without
// a chart loads no ECharts either. The times themselves are measured by
// bench/ui/login.sh.
import { harness, launch, assert, uscc, apiAs } from './harness.mjs'

const URL0 = process.env.E2E_URL
const ADMIN_PW = process.env.E2E_ADMIN_PW
const UNIT = '加载测试街道'

// Budgets for the step 点击登录 → 企业名录出现数据行, counted until the
// network is idle (bench/ui/README.md): 20 requests (4 API, the favicon),
// 232 KiB transferred since Element Plus's shared code and common
// components are one chunk and the dialogs and the date picker are lazy;
// 63 requests and 325 KiB before.
const MAX_REQUESTS = 24
const MAX_BYTES = 260 * 1024
// Code the list shows only when asked: the dialogs 新建企业 and 导入, the
// password dialog, the menu drawer, the 持有资质 date picker.
const LAZY = /^\/assets\/(EnterpriseForm|ImportDialog|ChangePasswordDialog|Drawer|DatePicker|el-date-picker|el-drawer|el-steps|el-upload)-/

const h = harness()
let browser
const ids = {}

// Every request of the page in order, with the order of their answers:
// events are appended as they happen ('send', 'done').
function record(page) {
  const ev = []
  page.on('request', (r) => ev.push({ kind: 'send', url: r.url().replace(URL0, ''), method: r.method() }))
  page.on('requestfinished', async (r) => {
    const e = { kind: 'done', url: r.url().replace(URL0, ''), method: r.method(), size: 0 }
    ev.push(e)
    try {
      const s = await r.sizes()
      e.size = s.responseBodySize + s.responseHeadersSize
    } catch {
      /* the page went away */
    }
  })
  return ev
}
const at = (ev, kind, re, method) => ev.findIndex((e) => e.kind === kind && re.test(e.url) && (!method || e.method === method))

let page, ev, ctx
h.test('setup: a unit with two enterprises, one with yearly figures', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  const units = (await call('GET', '/org-units')).items
  const root = units.find((u) => !u.parent_id).id
  const mine = units.find((u) => u.name === UNIT)
  ids.unit = mine ? mine.id : (await call('POST', '/org-units', { name: UNIT, kind: 'subdistrict', parent_id: root })).id
  for (const n of [1, 2]) {
    const code = uscc(`91120102MA0LD${String(n).padStart(4, '0')}`)
    const found = await call('GET', `/enterprises?q=${code}`)
    const e = found.items.length ? found.items[0] : await call('POST', '/enterprises', { uscc: code, name: `加载测试企业${n}`, unit_id: ids.unit })
    if (n === 1) {
      ids.ent = e.id
      await call('PUT', `/enterprises/${e.id}/years/2025`, { sales_revenue: 50000000, rd_expense: 3000000 })
    }
  }
  ;({ ctx, close: browser } = await launch())
})

h.test('login page: the entry, Vue and the entry CSS only', async () => {
  page = await ctx.newPage()
  const first = record(page)
  // login → the enterprise list (the landing page is the 工作台; a link to
  // the list goes through the login with a redirect)
  await page.goto(URL0 + '/login?redirect=%2Fenterprises')
  await page.locator('input[name=username]').waitFor()
  await page.waitForLoadState('networkidle')
  const assets = first.filter((e) => e.kind === 'send' && e.url.startsWith('/assets/')).map((e) => e.url)
  const other = assets.filter((u) => !/^\/assets\/(index|vue)-[\w-]+\.(js|css)$/.test(u))
  assert(assets.length > 0, 'the login page loaded its code')
  assert(!other.length, 'the login page loads no page or Element Plus code: ' + other.join(', '))
})

h.test('login: the shell and the first page are fetched while the password is checked', async () => {
  await page.locator('input[name=username]').fill('admin')
  await page.locator('input[name=password]').fill(ADMIN_PW)
  ev = record(page)
  await page.getByRole('button', { name: '登录' }).click()
  await page.locator('#kc-main .el-table__body .el-table__row').first().waitFor()
  await page.waitForLoadState('networkidle')
  const sessionDone = at(ev, 'done', /^\/api\/v1\/session$/, 'POST')
  assert(sessionDone >= 0, 'the login request was answered')
  for (const chunk of [/^\/assets\/AppLayout-.*\.js$/, /^\/assets\/EnterpriseList-.*\.js$/]) {
    const sent = at(ev, 'send', chunk)
    assert(sent >= 0, `${chunk} was fetched`)
    assert(sent < sessionDone, `${chunk} was asked for before the login was answered (sent #${sent}, login answered #${sessionDone})`)
  }
})

h.test('login: the list and its code tables are asked for together', async () => {
  const list = at(ev, 'send', /^\/api\/v1\/enterprises\?/)
  const ref = at(ev, 'send', /^\/api\/v1\/reference\/enterprise$/)
  const firstDone = Math.min(
    ...[/^\/api\/v1\/enterprises\?/, /^\/api\/v1\/reference\/enterprise$/].map((re) => at(ev, 'done', re)).filter((i) => i >= 0),
  )
  assert(list >= 0 && ref >= 0, 'both were asked for')
  assert(list < firstDone && ref < firstDone, `both were sent before either was answered (list #${list}, tables #${ref}, first answer #${firstDone})`)
})

h.test('login: the first paint stays within its budget, without ECharts or pop-up lists', async () => {
  const done = ev.filter((e) => e.kind === 'done')
  const bytes = done.reduce((s, e) => s + e.size, 0)
  assert(done.length <= MAX_REQUESTS, `${done.length} requests (at most ${MAX_REQUESTS})`)
  assert(bytes <= MAX_BYTES, `${bytes} bytes (at most ${MAX_BYTES})`)
  const charts = done.filter((e) => /^\/assets\/(echarts|EChart)-/.test(e.url))
  assert(!charts.length, 'the list page loads no chart code: ' + charts.map((e) => e.url).join(', '))
  const lazy = done.filter((e) => LAZY.test(e.url))
  assert(!lazy.length, 'closed dialogs and pickers are not loaded: ' + lazy.map((e) => e.url).join(', '))
  assert(at(ev, 'send', /^\/api\/v1\/reference\/qualifications$/) < 0, 'the qualification kinds are not asked for before the filter is opened')
  // the filters' lists, the unit trees and the menus are rendered when
  // first opened (the pagination's page sizes, "20条/页", are the only
  // list Element Plus renders at once)
  const items = (await page.locator('.el-select-dropdown__item, .el-tree-node, .el-dropdown-menu__item').allInnerTexts()).filter(
    (t) => !/^\d+\s*条\/页$/.test(t.trim()),
  )
  assert(items.length === 0, `${items.length} items of closed pop-up lists are in the page: ${items.slice(0, 5).join(' | ')}`)
  // a closed list still shows the label of its value
  await page.goto(URL0 + `/enterprises?unit_id=${ids.unit}&listing_status=listed`)
  await page.locator('#kc-main .el-table__body .el-table__row, #kc-main .el-table__empty-text').first().waitFor()
  const unitText = await page.locator('[data-test=f-unit]').innerText()
  assert(unitText.includes(UNIT), `the unit filter shows the unit's name: "${unitText}"`)
  const top = await page.locator('[data-test=unit-switch]').innerText()
  assert(top.trim().length > 0 && !/^\d+$/.test(top.trim()), `the unit switch shows a name: "${top}"`)
})

h.test('list: the lazy filter, picker and dialogs work when opened', async () => {
  ev = record(page)
  await page.goto(URL0 + '/enterprises')
  await page.locator('#kc-main .el-table__body .el-table__row').first().waitFor()
  // 持有资质: the kinds come with the first opening, then the date picker
  await page.locator('[data-test=f-qual-kind] .el-select__wrapper').click()
  const opt = page.locator('.el-select-dropdown:visible .el-select-dropdown__item').first()
  await opt.waitFor()
  assert(at(ev, 'send', /^\/api\/v1\/reference\/qualifications$/) >= 0, 'opening the filter asked for the kinds')
  const kind = (await opt.innerText()).trim()
  assert(kind.length > 0 && kind !== '无数据', `a kind is offered: "${kind}"`)
  await opt.click()
  await page.getByPlaceholder('有效日（默认今天）').waitFor()
  assert(ev.some((e) => e.kind === 'done' && /^\/assets\/DatePicker-/.test(e.url)), 'the date picker was fetched when shown')
  // a link with the filter set shows the kind's name (the kinds are asked for)
  await page.goto(URL0 + '/enterprises?qual_kind=hnte')
  await page.locator('#kc-main .el-table__body .el-table__row, #kc-main .el-table__empty-text').first().waitFor()
  await page.waitForFunction(() => /高新/.test(document.querySelector('[data-test=f-qual-kind]').innerText))
  // 新建企业 opens its (lazy) dialog at the first click
  await page.locator('[data-test=ent-create]').click()
  const dlg = page.locator('.el-dialog:visible').filter({ hasText: '新建企业' })
  await dlg.locator('input').first().waitFor()
  await dlg.getByRole('button', { name: '取消' }).click()
  await dlg.waitFor({ state: 'hidden' })
})

h.test('detail: a tab without a chart loads no ECharts; 年度数据 does', async () => {
  ev = record(page)
  await page.goto(URL0 + `/enterprises/${ids.ent}`)
  await page.locator('[data-test=ent-basic]').waitFor()
  for (const t of ['ip', 'facts', 'changes']) {
    await page.locator(`.el-tabs__item#tab-${t}`).click()
    await page.locator(`#pane-${t} .el-table`).first().waitFor()
  }
  await page.waitForLoadState('networkidle')
  assert(!ev.some((e) => /^\/assets\/(echarts|EChart)-/.test(e.url)), 'no chart code before the 年度数据 tab')
  // closed dialogs and drawers: their date pickers and the drawer come
  // with the first opening
  assert(!ev.some((e) => LAZY.test(e.url)), 'no dialog/drawer/picker code before they are opened')
  await page.locator('.el-tabs__item#tab-ip').click()
  await page.locator('[data-test=ip-add]').click()
  const dlg = page.locator('.el-dialog:visible').filter({ hasText: '登记知识产权' })
  await dlg.locator('input[name=applied_on]').waitFor()
  await dlg.getByRole('button', { name: '取消' }).click()
  await dlg.waitFor({ state: 'hidden' })
  await page.locator('.el-tabs__item#tab-years').click()
  await page.locator('[data-test=years-chart] canvas').first().waitFor()
  assert(ev.some((e) => /^\/assets\/echarts-/.test(e.url)), 'the chart code is loaded with the chart')
})

h.test('teardown', async () => {
  if (browser) await browser()
})

process.exitCode = await h.run()
