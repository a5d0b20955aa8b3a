// calrules.test.mjs - the 提醒规则 admin page in a real browser against the
// real server (started by tests/scripts/e2e.sh): the rules listed, a bad
// source date refused with the zh-CN error under the field, the 年报 rule
// moved to another day and marked 已核实, the change shown in the list and
// on the 到期提醒 page's rule table. The rule is put back at the end (the
// database is shared with the other test files).
import { join } from 'node:path'
import { harness, launch, assert, apiAs, login } from './harness.mjs'

const URL0 = process.env.E2E_URL
const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW

const h = harness()
let admin, page
const consoleErrors = []
let shotN = 0

async function shot(p, name) {
  shotN++
  await p.screenshot({ path: join(SHOTS, `cr${String(shotN).padStart(2, '0')}-${name}.png`), fullPage: true })
}

// 400 answers are expected while the form sends a bad number on purpose.
let allow400 = false
function watch(p, who) {
  p.on('console', (m) => {
    if (m.type() !== 'error') return
    const t = m.text()
    if (/Failed to load resource: the server responded with a status of 401/.test(t)) return
    if (allow400 && /Failed to load resource: the server responded with a status of 400/.test(t)) return
    consoleErrors.push(`${who}: ${t}`)
  })
  p.on('pageerror', (e) => consoleErrors.push(`${who}: ${e.message}`))
}

h.test('提醒规则: edit the 年报 rule (a bad date refused under its field), the list shows it', async () => {
  ;({ ctx: admin } = await launch())
  page = admin.pages()[0] || (await admin.newPage())
  watch(page, 'admin')
  await login(page, 'admin', ADMIN_PW)
  await page.goto(URL0 + '/ladder/calendar')
  await page.locator('[data-test=cal-rules-manage]').click()
  await page.waitForURL(/\/system\/calendar-rules/)
  await page.locator('[data-test=rule-edit-hnte\\.annual_report]').click()
  const dlg = page.locator('[data-test=rule-dialog]')
  await dlg.locator('input[data-test=rule-source-date]').fill('2025-02-30')
  allow400 = true
  await dlg.locator('[data-test=rule-save]').click()
  const err = dlg.locator('.el-form-item', { hasText: '依据日期' }).locator('.el-form-item__error')
  await err.waitFor()
  assert((await err.innerText()).includes('依据日期应为'), 'zh-CN error under the field: ' + (await err.innerText()))
  allow400 = false
  await dlg.locator('input[data-test=rule-source-date]').fill('2025-03-01')
  await dlg.locator('[data-test=rule-month] input, input[data-test=rule-month]').first().fill('6')
  await dlg.locator('[data-test=rule-day] input, input[data-test=rule-day]').first().fill('30')
  await dlg.locator('input[data-test=rule-source]').fill('2025年市科技局通知（测试）')
  await dlg.getByText('已核实', { exact: true }).click()
  await dlg.locator('[data-test=rule-save]').click()
  await dlg.waitFor({ state: 'hidden' })
  const row = page.locator('[data-test=rules-table] .el-table__row', { hasText: '2025年市科技局通知（测试）' })
  await row.waitFor()
  const t = await row.innerText()
  assert(t.includes('每年 6 月 30 日') && t.includes('已核实'), 'changed rule listed: ' + t)
  await shot(page, 'rules')
  // put it back for the other files
  const call = await apiAs('admin', ADMIN_PW)
  const r = (await call('GET', '/calendar/rules')).items.find((x) => x.code === 'hnte.annual_report')
  await call('PATCH', `/calendar/rules/${r.id}`, { month: 5, day: 31, source: '《高新技术企业认定管理工作指引》国科发火〔2016〕195号', source_date: '2016-06-22' })
})

h.test('no console errors or uncaught exceptions', async () => {
  assert(consoleErrors.length === 0, consoleErrors.join('\n'))
})

const failed = await h.run()
if (admin) await admin.close().catch(() => {})
process.exit(failed ? 1 : 0)
