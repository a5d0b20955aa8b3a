// policy.test.mjs - the 政策 pages in a real browser against the real server
// (started by tests/scripts/e2e.sh): an enterprise's 可享政策 tab with the
// amount it could receive, the pool with an item's rule text and cases, an
// application taken through 初审 and 复审, a public notice over it, the
// notice's list exported, the payment batch made from the notice, and the
// budget view that reconciles. Data are set up through the API in a unit of
// their own (the database is shared with the other test files).
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { harness, launch, assert, uscc, apiAs, login } from './harness.mjs'

const URL0 = process.env.E2E_URL
const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW
const UNIT = '政策测试街道'
const NAME = '天津政策兑现示范科技有限公司'
const YEAR = new Date().getFullYear()

const h = harness()
let admin, page
const consoleErrors = []
let shotN = 0
const ids = {}

async function shot(p, name) {
  shotN++
  await p.screenshot({ path: join(SHOTS, `p${String(shotN).padStart(2, '0')}-${name}.png`), fullPage: true })
}

function watch(p, who) {
  p.on('console', (m) => {
    if (m.type() !== 'error') return
    const t = m.text()
    if (/Failed to load resource: the server responded with a status of 401/.test(t)) return
    consoleErrors.push(`${who}: ${t}`)
  })
  p.on('pageerror', (e) => consoleErrors.push(`${who}: ${e.message}`))
}

const iso = (d) => d.toISOString().slice(0, 10)

h.test('setup through the API: a unit, an enterprise with figures and a 高企 certificate, a budget, an application', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  const units = await call('GET', '/org-units')
  const root = units.items.find((u) => u.parent_id === null).id
  ids.unit = (await call('POST', '/org-units', { name: UNIT, kind: 'subdistrict', parent_id: root })).id
  const e = await call('POST', '/enterprises', { uscc: uscc('91120102MA0PLC001'), name: NAME, unit_id: ids.unit, established_on: '2018-03-01' })
  ids.ent = e.id
  await call('PUT', `/enterprises/${e.id}/years/${YEAR - 1}`, { employees: 80, rd_expense: 15000000 })
  await call('PUT', `/enterprises/${e.id}/declarations`, {
    items: [
      { field: 'resident', value: true },
      { field: 'hnte_cert', value: true, valid_from: `${YEAR - 1}-01-01`, valid_to: `${YEAR + 1}-12-31` },
    ],
  })
  await call('PUT', '/policy-budgets', { line: '科技创新券', year: YEAR, amount_wan: '500' })
  const items = (await call('GET', '/policy-items')).items
  ids.voucher = items.find((i) => i.code === 'innovation-voucher').id
  // the enterprise qualifies; 30 万 of services x 50% = 15 万, capped at 10 万
  const m = await call('GET', `/enterprises/${e.id}/policies?year=${YEAR}`)
  const v = m.items.find((i) => i.code === 'innovation-voucher')
  assert(v && v.outcome === 'qualified', 'voucher: ' + JSON.stringify(v))
  const app = await call('POST', '/policy-applications', { item_id: ids.voucher, enterprise_id: e.id, year: YEAR, claimed_wan: '30', attachments: ['服务合同.pdf'] })
  assert(app.amount === 100000, 'capped at 10 万: ' + app.amount)
  ids.app = app.id
})

h.test('the enterprise page has a 可享政策 tab: outcomes, amounts and gaps', async () => {
  ;({ ctx: admin } = await launch())
  page = admin.pages()[0] || (await admin.newPage())
  watch(page, 'admin')
  await login(page, 'admin', ADMIN_PW)
  const areas = (await page.locator('aside .el-sub-menu__title').allInnerTexts()).map((s) => s.trim())
  assert(areas.includes('政策'), 'areas: ' + areas)
  await page.goto(URL0 + `/enterprises/${ids.ent}?tab=policies`)
  const table = page.locator('[data-test=pol-table]')
  await table.waitFor()
  const rd = await table.locator('.el-table__row').filter({ hasText: '研发费用后补助' }).first().innerText()
  assert(rd.includes('符合') && rd.includes('100'), 'rd-subsidy: 1500 万 x 10% capped at 100 万: ' + rd)
  const tier = await table.locator('.el-table__row').filter({ hasText: '研发投入分档奖励' }).innerText()
  assert(tier.includes('不符合') && tier.includes('就高不重复'), 'rd-tier loses to the higher one: ' + tier)
  const tax = await table.locator('.el-table__row').filter({ hasText: '所得税减按15%' }).innerText()
  assert(tax.includes('仅提示'), 'information item: ' + tax)
  await shot(page, 'ent-policies')
})

h.test('the pool lists items; an item shows its rule text and its cases pass', async () => {
  await page.goto(URL0 + '/policy/pool')
  const table = page.locator('[data-test=pool-table]')
  await table.waitFor()
  await page.locator('[data-test=district-run]').click()
  await table.getByText('全区符合').waitFor()
  // every row's status is named from the server's table (policy_statuses)
  const names = (await (await apiAs('admin', ADMIN_PW))('GET', '/reference/labels')).policy_statuses.map((x) => x.label)
  for (const r of await table.locator('.el-table__body-wrapper .el-table__row').allInnerTexts()) assert(names.some((n) => r.includes(n)), 'status named: ' + r)
  await table.locator('.el-table__row').filter({ hasText: '研发费用后补助' }).first().click()
  const drawer = page.locator('[data-test=item-drawer]')
  await drawer.locator('[data-test=rule-text]').waitFor()
  const text = await drawer.locator('[data-test=rule-text]').innerText()
  assert(text.includes('rd_expense[y] >= 100万'), 'rule text: ' + text.slice(0, 200))
  const cases = await drawer.locator('.el-tag').allInnerTexts()
  assert(cases.includes('通过') && !cases.includes('不通过'), 'cases: ' + cases)
  await shot(page, 'pool-item')
  await page.keyboard.press('Escape')
})

h.test('application board: 初审 and 复审 in the browser, then a public notice over it', async () => {
  await page.goto(URL0 + '/policy/applications')
  const table = page.locator('[data-test=apps-table]')
  const row = () => table.locator('.el-table__row').filter({ hasText: NAME })
  await row().first().waitFor()
  await row().locator('[data-test=street-ok]').click()
  await row().locator('[data-test=bureau-ok]').waitFor()
  await row().locator('[data-test=bureau-ok]').click()
  await row().locator('[data-test=app-status]').filter({ hasText: '复审通过' }).waitFor()
  await row().locator('.el-checkbox').first().click()
  await page.locator('[data-test=open-notice]').click()
  const dlg = page.locator('.el-dialog').filter({ hasText: '发布公示' })
  await dlg.locator('[data-test=nt-title]').fill(`${YEAR}年科技创新券拟兑现名单公示（测试）`)
  // a period that has ended, so the payment can follow today
  await dlg.locator('[data-test=nt-start]').fill(iso(new Date(Date.now() - 10 * 86400000)))
  await dlg.locator('[data-test=nt-end]').fill(iso(new Date(Date.now() - 3 * 86400000)))
  await dlg.locator('[data-test=nt-submit]').click()
  await row().locator('[data-test=app-status]').filter({ hasText: '公示中' }).waitFor()
  // the status filter names the statuses as the server does (one table)
  await page.locator('[data-test=f-status]').click()
  const opts = page.locator('.el-select-dropdown__item:visible')
  await opts.filter({ hasText: '已受理（待初审）' }).waitFor()
  const names = await opts.allInnerTexts()
  assert(names.length === 7 && names.includes('公示中') && names.includes('不予通过'), 'status options: ' + names)
  await page.keyboard.press('Escape')
  await shot(page, 'applications')
})

h.test('the notice exports as a bureau publishes it, and the payment batch is made from it', async () => {
  await page.goto(URL0 + '/policy/payments')
  const notices = page.locator('[data-test=notices-table]')
  await notices.locator('.el-table__row').filter({ hasText: '科技创新券拟兑现名单公示（测试）' }).first().click()
  const drawer = page.locator('[data-test=notice-drawer]')
  await drawer.getByText(NAME).first().waitFor()
  const [dl] = await Promise.all([page.waitForEvent('download'), drawer.getByRole('button', { name: '导出公示名单（CSV）' }).click()])
  const csv = readFileSync(await dl.path(), 'utf8')
  assert(csv.includes('公示期：') && csv.includes('序号,企业名称,统一社会信用代码') && csv.includes(NAME) && csv.includes(',10\r\n'), 'notice csv: ' + csv.slice(0, 400))
  await drawer.locator('[data-test=open-pay]').click()
  const dlg = page.locator('.el-dialog').filter({ hasText: '确认拨付' })
  await dlg.locator('[data-test=pay-voucher]').fill('E2E-PZ-0001')
  assert((await dlg.locator('[data-test=pay-total]').innerText()).trim() === '10', 'batch total 10 万')
  await shot(page, 'pay-dialog')
  await dlg.locator('[data-test=pay-submit]').click()
  await page.getByRole('tab', { name: '拨付批次' }).click()
  await page.locator('[data-test=batches-table] .el-table__row').filter({ hasText: 'E2E-PZ-0001' }).waitFor()
  await page.getByRole('tab', { name: '预算执行' }).click()
  const b = await page.locator('[data-test=budget-table] .el-table__row').filter({ hasText: '科技创新券' }).innerText()
  assert(b.includes('500') && b.includes('10') && b.includes('490'), 'budget row: ' + b)
  await shot(page, 'budget')
  const call = await apiAs('admin', ADMIN_PW)
  const app = await call('GET', `/policy-applications/${ids.app}`)
  assert(app.status === 'closed' && app.paid === 100000, 'application closed and paid: ' + app.status + ' ' + app.paid)
})

h.test('budget sandbox: raising a threshold in the form loses the enterprise; the scenario is saved', async () => {
  await page.goto(URL0 + '/policy/sandbox')
  await page.locator('[data-test=sb-item]').click()
  await page.locator('.el-select-dropdown__item').filter({ hasText: '研发费用后补助' }).first().click()
  const th = page.locator('[data-test=sb-th-rd]')
  await th.waitFor()
  assert((await th.inputValue()) === '100万', 'threshold from the rule text: ' + (await th.inputValue()))
  await th.fill('2000万')
  const year = page.locator('.el-input-number input').first()
  await year.fill(String(YEAR))
  await year.press('Enter')
  await page.locator('input[placeholder=方案名称]').fill('门槛2000万')
  await page.getByRole('button', { name: '试算并保存' }).click()
  await page.locator('[data-test=sb-result]').waitFor()
  const lost = await page.locator('.el-table').filter({ hasText: '原金额' }).innerText()
  assert(lost.includes(NAME), 'the enterprise is listed as losing: ' + lost)
  await page.locator('.el-table__row').filter({ hasText: '门槛2000万' }).first().waitFor()
  await shot(page, 'sandbox')
})

h.test('no console errors or uncaught exceptions', async () => {
  assert(consoleErrors.length === 0, consoleErrors.join('\n'))
})

const failed = await h.run()
if (admin) await admin.close().catch(() => {})
process.exit(failed ? 1 : 0)
