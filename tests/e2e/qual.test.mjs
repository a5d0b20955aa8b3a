// qual.test.mjs - the qualifications register and the 工作台 in a real
// browser against the real server (started by tests/scripts/e2e.sh): the
// landing page with its sections (a 高企 certificate expiring within the
// week among today's to-dos, counts by tier), an enterprise's 资质 tab
// (a declaration conflict shown, a certificate number refused with the
// zh-CN error under the field, then registered and ended), the 到期提醒
// page and the district list with its counts.
// Data are set up through the API in a unit of its own (the database is
// shared with the other test files).
import { join } from 'node:path'
import { harness, launch, assert, uscc, apiAs, login } from './harness.mjs'

const URL0 = process.env.E2E_URL
const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW
const UNIT = '资质甲街道'

const h = harness()
let admin, page
const consoleErrors = []
let shotN = 0
const ids = {}

async function shot(p, name) {
  shotN++
  await p.screenshot({ path: join(SHOTS, `q${String(shotN).padStart(2, '0')}-${name}.png`), fullPage: true })
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

function iso(d) {
  const z = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${z(d.getMonth() + 1)}-${z(d.getDate())}`
}

h.test('setup through the API: a unit, a certificate expiring in five days, a declaration conflict', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  const units = await call('GET', '/org-units')
  const root = units.items.find((u) => u.parent_id === null).id
  ids.unit = (await call('POST', '/org-units', { name: UNIT, kind: 'subdistrict', parent_id: root })).id
  ids.e1 = (await call('POST', '/enterprises', { uscc: uscc('91120102MA0QUA001'), name: '天津资质示范科技有限公司', unit_id: ids.unit })).id
  ids.e2 = (await call('POST', '/enterprises', { uscc: uscc('91120102MA0QUA002'), name: '天津资质冲突材料有限公司', unit_id: ids.unit })).id
  // issued three years before (today + 6 days): its last day is today + 5
  const exp = new Date()
  exp.setDate(exp.getDate() + 6)
  exp.setFullYear(exp.getFullYear() - 3)
  const q1 = await call('POST', `/enterprises/${ids.e1}/qualifications`, { kind: 'hnte', cert_no: 'GR202312077001', issued_on: iso(exp) })
  assert(q1.days_left === 5, 'expires in five days: ' + q1.valid_to + ' ' + q1.days_left)
  await call('PUT', `/enterprises/${ids.e2}/declarations`, { items: [{ field: 'hnte_cert', value: true }] })
  const q2 = await call('POST', `/enterprises/${ids.e2}/qualifications`, { kind: 'hnte', cert_no: 'GR202412077002', issued_on: '2024-03-01' })
  await call('POST', `/enterprises/${ids.e2}/qualifications/${q2.id}/end`, { status: 'revoked', ended_on: '2024-09-01', end_reason: '复核不符合条件' })
})

h.test('admin lands on 工作台: the expiry among today’s to-dos, counts by tier with the change', async () => {
  ;({ ctx: admin } = await launch())
  page = admin.pages()[0] || (await admin.newPage())
  watch(page, 'admin')
  await login(page, 'admin', ADMIN_PW)
  await page.waitForURL(/\/workbench/)
  const todos = page.locator('[data-test=wb-todos]')
  await todos.getByText('天津资质示范科技有限公司').first().waitFor()
  const t = await todos.innerText()
  assert(t.includes('高新技术企业资格到期'), 'to-do names the expiry: ' + t)
  assert(t.includes('申报事项与资质登记不一致'), 'to-do counts the conflicts: ' + t)
  const counts = await page.locator('[data-test=wb-tier_counts]').innerText()
  assert(counts.includes('高企') && counts.includes('科小'), 'tier counts: ' + counts)
  await page.locator('[data-test=wb-deadlines]').waitFor()
  await shot(page, 'workbench')
})

h.test('资质 tab: the conflict is shown; a bad number is refused under the field; register and end', async () => {
  await page.goto(URL0 + `/enterprises/${ids.e2}?tab=qual`)
  await page.locator('[data-test=qual-conflict]').waitFor()
  assert((await page.locator('[data-test=qual-conflict]').innerText()).includes('有效期内的高新技术企业证书'), 'conflict names the input')
  await shot(page, 'conflict')

  await page.goto(URL0 + `/enterprises/${ids.e1}?tab=qual`)
  await page.locator('[data-test=qual-table] .el-table__row').first().waitFor()
  await page.locator('[data-test=qual-add]').click()
  const dlg = page.locator('.el-dialog:visible')
  await dlg.locator('input[name=cert_no]').fill('GR2021-1')
  const issued = dlg.locator('input[name=issued_on]')
  await issued.fill('2021-12-01')
  await issued.press('Enter')
  allow400 = true
  await dlg.locator('[data-test=qual-save]').click()
  const err = dlg.locator('.el-form-item', { hasText: '证书编号' }).locator('.el-form-item__error')
  await err.waitFor()
  assert((await err.innerText()).includes('格式不正确'), 'zh-CN error under 证书编号: ' + (await err.innerText()))
  allow400 = false
  await shot(page, 'bad-number')
  await dlg.locator('input[name=cert_no]').fill('GR202112077003')
  await dlg.locator('[data-test=qual-save]').click()
  await dlg.waitFor({ state: 'hidden' })
  const rows = page.locator('[data-test=qual-table] .el-table__body-wrapper .el-table__row')
  await rows.filter({ hasText: 'GR202112077003' }).waitFor()
  assert((await rows.filter({ hasText: 'GR202112077003' }).innerText()).includes('2024-11-30'), '3-year validity computed')
  // end it: 撤销 with a date and a reason
  await rows.filter({ hasText: 'GR202112077003' }).locator('[data-test=qual-end]').click()
  const end = page.locator('.el-dialog:visible')
  const d = end.locator('input[name=ended_on]')
  await d.fill('2022-06-01')
  await d.press('Enter')
  await end.locator('textarea[name=end_reason]').fill('复核不符合条件（测试）')
  await end.locator('[data-test=qual-end-confirm]').click()
  await end.waitFor({ state: 'hidden' })
  await rows.filter({ hasText: 'GR202112077003' }).filter({ hasText: '撤销 2022-06-01' }).waitFor()
  await shot(page, 'qual-tab')
})

h.test('到期提醒 lists the expiry with its source; 资质登记 counts and lists', async () => {
  await page.goto(URL0 + '/ladder/calendar')
  const row = page.locator('.dt .el-table__row', { hasText: '天津资质示范科技有限公司' }).filter({ hasText: '资格到期' }).first()
  await row.waitFor()
  assert((await row.innerText()).includes('已核实'), 'confirmed rule marked: ' + (await row.innerText()))
  await page.locator('[data-test=cal-rules] .el-table__row').first().waitFor()
  await shot(page, 'calendar')
  await page.goto(URL0 + '/ladder/qualifications?q=' + encodeURIComponent('天津资质'))
  await page.locator('[data-test=qual-counts] .count').first().waitFor()
  const list = page.locator('.dt .el-table__body-wrapper .el-table__row')
  await list.first().waitFor()
  assert((await list.count()) === 3, 'three records of the two enterprises: ' + (await list.count()))
  assert((await list.allInnerTexts()).join().includes('GR202112077003'), 'the one registered in the browser')
  await shot(page, 'qual-list')
  // the state filter offers the server's states (GET /reference/qualifications)
  await page.locator('[data-test=f-state]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '已到期' }).waitFor()
  assert((await page.locator('.el-select-dropdown__item:visible', { hasText: '未生效' }).count()) === 0, 'pending is not a filter')
  await page.locator('[data-test=f-state]').click()
})

h.test('no console errors or uncaught exceptions', async () => {
  assert(consoleErrors.length === 0, consoleErrors.join('\n'))
})

const failed = await h.run()
if (admin) await admin.close().catch(() => {})
process.exit(failed ? 1 : 0)
