// pipeline.test.mjs - the 四个一批 pages in a real browser against the real
// server (started by tests/scripts/e2e.sh): a batch made in the UI, 遴选
// from a screening onto the board, an enterprise moved 推荐 → 审核通过 →
// 开始培育 (tasks from the rule gaps) with a skipped stage refused, its
// journey on the enterprise's 培育 tab, the funnel, the task worklist, and
// a service-log entry (recorded, edited, deleted) and an import of
// service logs. Data are set up through the API in a unit of their own
// (the database is shared with the other test files).
import { join } from 'node:path'
import { harness, launch, assert, uscc, apiAs, login } from './harness.mjs'

const URL0 = process.env.E2E_URL
const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW
const UNIT = '培育甲街道'

const h = harness()
let admin, page
const consoleErrors = []
let shotN = 0
const ids = {}

async function shot(p, name) {
  shotN++
  await p.screenshot({ path: join(SHOTS, `p${String(shotN).padStart(2, '0')}-${name}.png`), fullPage: true })
}

let allow = false // a refusal the test provokes on purpose (409)
function watch(p, who) {
  p.on('console', (m) => {
    if (m.type() !== 'error') return
    const t = m.text()
    if (/status of 401/.test(t)) return
    if (allow && /status of (400|409)/.test(t)) return
    consoleErrors.push(`${who}: ${t}`)
  })
  p.on('pageerror', (e) => consoleErrors.push(`${who}: ${e.message}`))
}

const FIG = {
  employees: 100,
  tech_staff: 30,
  rd_staff: 20,
  sales_revenue: 30000000,
  total_revenue: 30000000,
  main_revenue: 28000000,
  hitech_income: 10000000,
  rd_expense: 900000,
  rd_domestic: 900000,
  total_assets: 20000000,
  total_liabilities: 10000000,
}

h.test('setup through the API: a unit, two enterprises with figures, a screening', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  const units = await call('GET', '/org-units')
  const root = units.items.find((u) => u.parent_id === null).id
  ids.unit = (await call('POST', '/org-units', { name: UNIT, kind: 'subdistrict', parent_id: root })).id
  const mk = async (n, name) => {
    const e = await call('POST', '/enterprises', { uscc: uscc(`91120102MA0PPB${String(n).padStart(3, '0')}`), name, unit_id: ids.unit, established_on: '2016-03-01', tech_domain: 1 })
    for (const y of [2023, 2024, 2025]) await call('PUT', `/enterprises/${e.id}/years/${y}`, FIG)
    await call('POST', `/enterprises/${e.id}/ip-rights`, { kind: 'invention', number: `ZL20201000${n}00.1`, title: '一种培育装置', granted_on: '2021-05-01', status: 'valid', acquisition: 'self' })
    return e.id
  }
  ids.e1 = await mk(1, '天津培育看板科技有限公司')
  ids.e2 = await mk(2, '天津培育漏斗材料有限公司')
  const job = await call('POST', '/screenings', {})
  for (let i = 0; i < 100; i++) {
    const j = await call('GET', `/jobs/${job.id}`)
    if (j.status === 'done') break
    assert(j.status === 'queued' || j.status === 'running', 'screening: ' + j.status)
    await new Promise((r) => setTimeout(r, 300))
  }
})

h.test('a new batch made in the UI opens its board; 遴选 from the screening fills 遴选', async () => {
  ;({ ctx: admin } = await launch())
  page = admin.pages()[0] || (await admin.newPage())
  watch(page, 'admin')
  await login(page, 'admin', ADMIN_PW)
  await page.locator('aside').getByText('培育批次', { exact: true }).click()
  await page.waitForURL(/\/pipeline\/batches/)
  await page.locator('[data-test=batch-new]').click()
  await page.locator('[data-test=batch-tier]').click()
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: /^高新技术企业$/ }).click()
  await page.locator('.el-dialog').getByPlaceholder('不填为“年度 + 梯度”').fill('看板测试批次')
  await page.locator('[data-test=batch-save]').click()
  await page.waitForURL(/\/pipeline\/batches\/\d+/)
  ids.batch = Number(new URL(page.url()).pathname.split('/').pop())
  await page.locator('[data-test=board]').waitFor()
  await page.locator('[data-test=pick-screening]').click()
  // the verdicts offered are named by the server (GET /reference/rules)
  await page.locator('[data-test=pick-verdict]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '待专家评审' }).waitFor()
  await page.locator('[data-test=pick-verdict]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '待专家评审' }).waitFor({ state: 'hidden' })
  await page.locator('.el-dialog [data-test=pick-limit] input').fill('200')
  await page.locator('[data-test=pick-save]').click()
  const sel = page.locator('[data-col=select] [data-test=board-card]')
  await sel.first().waitFor()
  const names = await sel.allInnerTexts()
  assert(names.some((t) => t.includes('天津培育看板科技有限公司')), 'card of e1 in 遴选: ' + names.length)
  await shot(page, 'board-selected')
})

h.test('a card moves 推荐 → 审核通过 → 开始培育; a skipped stage is refused', async () => {
  const card = page.locator('[data-col=select] [data-test=board-card]', { hasText: '天津培育看板科技有限公司' })
  await card.click()
  const panel = page.locator('.el-drawer [data-test=entry-panel]')
  await panel.waitFor()
  // 登记认定结果 without a reason (not in the register): refused in Chinese
  allow = true
  await panel.locator('[data-test=act-certify]').click()
  await page.locator('[data-test=act-save]:visible').click()
  await page.locator('[data-test=act-error]:visible').waitFor()
  const err = await page.locator('[data-test=act-error]:visible').innerText()
  assert(err.includes('资质登记册'), 'certify refused: ' + err)
  await page.locator('.el-dialog:visible').getByRole('button', { name: '取消' }).click()
  allow = false
  await panel.locator('[data-test=act-recommend]').click()
  await page.locator('textarea[data-test=act-comment]:visible').fill('研发投入稳定，推荐入库')
  await page.locator('[data-test=act-save]:visible').click()
  await panel.locator('[data-test=entry-stage]', { hasText: '待审核' }).waitFor()
  await panel.locator('[data-test=act-approve]').click()
  await page.locator('textarea[data-test=act-comment]:visible').fill('同意入库')
  await page.locator('[data-test=act-save]:visible').click()
  await panel.locator('[data-test=entry-stage]', { hasText: '已入库' }).waitFor()
  await panel.locator('[data-test=act-cultivate]').click()
  await page.locator('[data-test=act-save]:visible').click()
  await panel.locator('[data-test=entry-stage]', { hasText: '培育中' }).waitFor()
  const tasks = await panel.locator('[data-test=entry-tasks] .el-table__row').allInnerTexts()
  assert(tasks.length >= 1, 'tasks from the gaps: ' + tasks.length)
  const events = await panel.locator('[data-test=entry-events] .el-timeline-item').allInnerTexts()
  assert(events.length === 4 && events[1].includes('研发投入稳定'), 'journey: ' + events.join(' | '))
  await shot(page, 'entry-panel')
  await page.keyboard.press('Escape')
  await page.locator('[data-col=cultivate] [data-test=board-card]', { hasText: '天津培育看板科技有限公司' }).waitFor()
  await shot(page, 'board')
})

h.test("the enterprise's 培育 tab shows the journey; the funnel and the task worklist count it", async () => {
  await page.goto(URL0 + `/enterprises/${ids.e1}?tab=pipeline`)
  const j = page.locator('[data-test=journey]')
  await j.locator('[data-test=entry-events]').first().waitFor()
  const t = await j.innerText()
  assert(t.includes('看板测试批次') && t.includes('培育中'), 'journey tab: ' + t.slice(0, 200))
  await shot(page, 'journey')
  await page.goto(URL0 + '/pipeline/batches')
  await page.locator('[data-test=funnel-total]').waitFor()
  const f = await page.locator('[data-test=funnel-total]').innerText()
  assert(/培育 \d+ 家/.test(f), 'funnel: ' + f)
  await shot(page, 'batches-funnel')
  await page.goto(URL0 + '/pipeline/tasks')
  const rows = page.locator('.dt .el-table__body-wrapper .el-table__row')
  await rows.first().waitFor()
  assert((await rows.allInnerTexts()).some((r) => r.includes('天津培育看板科技有限公司')), 'worklist row')
  // statuses named from the server's table (task_statuses of /reference/labels)
  const ref = await (await apiAs('admin', ADMIN_PW))('GET', '/reference/labels')
  const names = ref.task_statuses.map((s) => s.label).concat('已逾期')
  for (const r of await rows.allInnerTexts()) assert(names.some((n) => r.includes(n)), 'task status named: ' + r)
  await page.locator('.dt-filters .el-select').first().click()
  const items = page.locator('.el-select-dropdown__item:visible')
  await items.first().waitFor()
  const opts = await items.allInnerTexts()
  assert(JSON.stringify(opts) === JSON.stringify(ref.task_statuses.map((s) => s.label)), 'status options: ' + opts)
  await page.keyboard.press('Escape')
})

h.test('a service-log entry is recorded and listed', async () => {
  await page.goto(URL0 + '/service/logs')
  await page.locator('[data-test=log-new]').click()
  await page.locator('input[data-test=log-title]').fill('走访培育看板科技')
  await page.locator('[data-test=log-save]').click()
  const rows = page.locator('.dt .el-table__body-wrapper .el-table__row')
  await rows.filter({ hasText: '走访培育看板科技' }).first().waitFor()
  await shot(page, 'service')
})

h.test('the entry is edited in its drawer, then deleted with a reason', async () => {
  const rows = page.locator('.dt .el-table__body-wrapper .el-table__row')
  await rows.filter({ hasText: '走访培育看板科技' }).first().click()
  await page.locator('[data-test=log-edit]').click()
  await page.locator('input[data-test=log-title]').fill('走访培育看板科技（已改）')
  await page.locator('[data-test=log-save]').click()
  await rows.filter({ hasText: '走访培育看板科技（已改）' }).first().waitFor()
  await page.locator('.el-drawer [data-test=log-delete]').click()
  const box = page.locator('.el-message-box:visible')
  await box.locator('input').fill('重复登记（测试）')
  await box.getByRole('button', { name: '删除' }).click()
  await rows.filter({ hasText: '走访培育看板科技（已改）' }).first().waitFor({ state: 'detached' })
  const call = await apiAs('admin', ADMIN_PW)
  const left = await call('GET', '/service/logs?q=' + encodeURIComponent('走访培育看板科技'))
  assert(left.total === 0, 'deleted: ' + JSON.stringify(left.items))
})

h.test('导入服务记录: a bad row is listed by row and column; the corrected file is imported', async () => {
  const head = '类型,日期,主题,统一社会信用代码,企业名称,内容,参加人员,企业诉求,答复期限\r\n'
  const good = '培训,2026-03-15,导入培训看板,,天津培育看板科技有限公司,研发费用归集,张三,希望再办一期,2026-04-30\r\n培训,2026-03-15,导入培训看板,,天津培育漏斗材料有限公司,,,,\r\n'
  await page.locator('[data-test=log-import]').click()
  const dlg = page.locator('[data-test=svc-import-dialog]')
  await dlg.locator('input[data-test=svc-imp-file]').setInputFiles({ name: 'svc.csv', mimeType: 'text/csv', buffer: Buffer.from(head + good + '聚餐,2026-03-16,联谊,,天津培育看板科技有限公司,,,,\r\n') })
  await dlg.locator('[data-test=svc-imp-check]').click()
  const errs = dlg.locator('[data-test=svc-imp-errors]')
  await errs.waitFor()
  const et = await errs.innerText()
  assert(et.includes('4') && et.includes('类型') && et.includes('类型应为'), 'row 4, column 类型: ' + et)
  assert(await dlg.locator('[data-test=svc-imp-apply]').isDisabled(), 'no import with errors')
  await dlg.locator('input[data-test=svc-imp-file]').setInputFiles({ name: 'svc.csv', mimeType: 'text/csv', buffer: Buffer.from(head + good) })
  await dlg.locator('[data-test=svc-imp-check]').click()
  await dlg.locator('[data-test=svc-imp-summary]', { hasText: '校验通过' }).waitFor()
  await shot(page, 'service-import')
  await dlg.locator('[data-test=svc-imp-apply]').click()
  await dlg.waitFor({ state: 'hidden' })
  const rows = page.locator('.dt .el-table__body-wrapper .el-table__row')
  const row = rows.filter({ hasText: '导入培训看板' }).first()
  await row.waitFor()
  assert((await row.innerText()).includes('2'), 'two enterprises: ' + (await row.innerText()))
})

h.test('an overdue ask is followed up and closed with its result', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  await call('POST', '/service/asks', { enterprise_id: ids.e2, content: '希望对接检测平台', due_on: '2025-01-31' })
  await page.goto(URL0 + '/service/asks')
  await page.locator('[data-test=f-ask-overdue]').click()
  const row = page.locator('.dt .el-table__body-wrapper .el-table__row', { hasText: '希望对接检测平台' })
  await row.waitFor()
  await row.click()
  await page.locator('textarea[data-test=ask-note]').fill('已联系区检测中心')
  await page.locator('[data-test=ask-close]').click()
  allow = true
  await page.locator('[data-test=ask-save]').click()
  await page.locator('[data-test=ask-error]').waitFor() // a result is required
  allow = false
  await page.locator('textarea[data-test=ask-result]').fill('已安排检测，企业满意')
  await page.locator('[data-test=ask-save]').click()
  await page.locator('[data-test=ask-status]', { hasText: '已办结' }).waitFor()
  await shot(page, 'ask-closed')
  const a = await call('GET', `/service/asks?enterprise_id=${ids.e2}`)
  assert(a.items[0].status === 'closed' && a.items[0].result === '已安排检测，企业满意', 'closed: ' + JSON.stringify(a.items[0]))
})

h.test('an ask is edited, then voided with a reason; it leaves the open list', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  await call('POST', '/service/asks', { enterprise_id: ids.e1, content: '咨询场地租金补贴', due_on: '2099-01-31' })
  await page.goto(URL0 + '/service/asks')
  const row = page.locator('.dt .el-table__body-wrapper .el-table__row', { hasText: '咨询场地租金补贴' })
  await row.waitFor()
  await row.click()
  await page.locator('[data-test=ask-edit]').click()
  await page.locator('textarea[data-test=ask-edit-content]').fill('咨询场地租金补贴（已改）')
  await page.locator('[data-test=ask-edit-save]').click()
  const dlg = page.locator('.el-dialog:visible', { hasText: '跟进诉求' })
  await dlg.getByText('咨询场地租金补贴（已改）').waitFor()
  await page.locator('[data-test=ask-void]').click()
  const box = page.locator('.el-message-box:visible')
  await box.locator('input').fill('企业撤回（测试）')
  await box.getByRole('button', { name: '作废' }).click()
  await page.locator('[data-test=ask-status]', { hasText: '已作废' }).waitFor()
  await shot(page, 'ask-voided')
  const open = await call('GET', `/service/asks?enterprise_id=${ids.e1}&status=open`)
  assert(!open.items.some((a) => a.content.startsWith('咨询场地租金补贴')), 'voided ask not open: ' + JSON.stringify(open.items))
})

h.test('no console errors or uncaught exceptions', async () => {
  assert(consoleErrors.length === 0, consoleErrors.join('\n'))
})

const failed = await h.run()
if (admin) await admin.close().catch(() => {})
process.exit(failed ? 1 : 0)
