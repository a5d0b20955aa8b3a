// plan.test.mjs - 目标任务 in a real browser against the real server
// (started by tests/scripts/e2e.sh): a plan whose 年度分解表 and 任务分工表
// are imported through the API as published text, then the 驾驶舱 with a
// figure computed from IP rights drilled down to its enterprises, and the
// report flow of a task: the responsible unit files, the lead unit
// consolidates, the office accepts. Data live in units of their own (the
// database is shared with the other test files).
import { join } from 'node:path'
import { harness, launch, assert, uscc, apiAs, login } from './harness.mjs'

const URL0 = process.env.E2E_URL
const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW
const PW = 'Planpages2026xy'
const LEAD = '计划E2E人才办'
const RESP = '计划E2E人社局'
const STREET = '计划E2E街道'

const h = harness()
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
    if (/status of 401/.test(t)) return
    consoleErrors.push(`${who}: ${t}`)
  })
  p.on('pageerror', (e) => consoleErrors.push(`${who}: ${e.message}`))
}

const TARGETS = [
  '序号\t指标名称\t2020年\t2021年\t2022年',
  '1\t研发支出与地区生产总值比值（%）\t2.57\t2.58\t2.59',
  '2\t全区有效发明专利（件）\t1140\t1155\t1170',
  '3\t高新技术企业数量（家）\t108\t116\t128',
  '7\t全区技术合同成交额（亿元）\t40\t45\t50',
].join('\n')
const TASKS = [
  '序号,重点任务,工作措施,牵头单位,责任单位,完成时限',
  '一、强化人才保障',
  `1,引育高层次人才,落实“海河英才”行动计划,${LEAD},${RESP}、区E2E科技局,每季度`,
].join('\n')

h.test('setup through the API: a plan, its tables imported, patents of two enterprises, users of the lead and responsible units', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  const units = await call('GET', '/org-units')
  ids.root = units.items.find((u) => u.parent_id === null).id
  ids.street = (await call('POST', '/org-units', { name: STREET, kind: 'subdistrict', parent_id: ids.root })).id
  const plan = await call('POST', '/plans', { name: '计划E2E三年行动计划', year_from: 2020, year_to: 2022, issuer_unit_id: ids.root })
  ids.plan = plan.id
  const pt = await call('POST', `/plans/${ids.plan}/imports?kind=targets`, undefined, TARGETS)
  assert(pt.errors.length === 0 && pt.indicators.length === 4, 'targets preview: ' + JSON.stringify(pt.errors))
  await call('POST', `/plan-imports/${pt.id}/apply`, {})
  const tk = await call('POST', `/plans/${ids.plan}/imports?kind=tasks`, undefined, TASKS)
  assert(tk.tasks.length === 1, 'one task')
  await call('POST', `/plan-imports/${tk.id}/apply`, { units: { [LEAD]: 'new', [RESP]: 'new', 区E2E科技局: ids.root } })
  const all = (await call('GET', '/org-units')).items
  ids.lead = all.find((u) => u.name === LEAD).id
  ids.resp = all.find((u) => u.name === RESP).id
  await call('POST', '/users', { username: 'plan_lead', display_name: '人才办', role: 'dept', unit_id: ids.lead, password: PW, must_change_password: false })
  await call('POST', '/users', { username: 'plan_resp', display_name: '人社局', role: 'dept', unit_id: ids.resp, password: PW, must_change_password: false })
  await call('POST', '/users', { username: 'plan_office', display_name: '计划办审核', role: 'staff', unit_id: ids.root, password: PW, must_change_password: false })
  const p = await call('GET', `/plans/${ids.plan}`)
  ids.ind2 = p.indicators.find((i) => i.seq === 2).id
  await call('POST', `/plan-indicators/${ids.ind2}/sources`, { source: 'ip_invention' })
  await call('POST', `/plan-indicators/${p.indicators.find((i) => i.seq === 7).id}/sources`, { source: 'contracts' })
  for (const n of [1, 2]) {
    const e = await call('POST', '/enterprises', { uscc: uscc(`91120102MA0PLN${String(n).padStart(3, '0')}`), name: `天津计划E2E科技${n}有限公司`, unit_id: ids.street })
    await call('POST', `/enterprises/${e.id}/ip-rights`, { kind: 'invention', number: `ZL2021PLN000${n}.1`, title: '一种传感器', granted_on: '2021-05-01', status: 'valid', acquisition: 'self' })
  }
  const f = await call('GET', `/plan-indicators/${ids.ind2}/rows`)
  assert(f.total >= 2, 'rows behind the patent figure: ' + f.total)
  ids.patents = f.total
})

h.test('驾驶舱: kinds shown, 技术合同成交额 from the contract register, the patent figure drills down to its enterprises', async () => {
  const { ctx, close } = await launch()
  try {
    const p = ctx.pages()[0] || (await ctx.newPage())
    watch(p, 'admin')
    await login(p, 'admin', ADMIN_PW)
    await p.goto(URL0 + '/plans')
    await p.locator('[data-test=plan-list]').getByText('计划E2E三年行动计划').click()
    await p.locator('[data-test=ind-2]').waitFor()
    const card1 = await p.locator('[data-test=ind-1]').innerText()
    assert(card1.includes('比率'), 'ratio kind shown: ' + card1)
    // how the kind is counted, from the server (GET /reference/labels)
    await p.locator('[data-test=ind-1] [title="比率：不加总"]').waitFor()
    const card7 = await p.locator('[data-test=ind-7]').innerText()
    assert(card7.includes('流量') && !card7.includes('数据源未接入'), 'flow kind shown, 技术合同成交额 computed from the contract register: ' + card7)
    await shot(p, 'dashboard')
    const link = p.locator('[data-test=ind-2] [data-test=drill]')
    assert((await link.innerText()).trim() === String(ids.patents), 'patent figure ' + (await link.innerText()))
    await link.click()
    await p.locator('[data-test=drill-rows]').getByText('天津计划E2E科技1有限公司').waitFor()
    const total = await p.locator('[data-test=drill-total]').innerText()
    assert(total.includes(String(ids.patents)), 'drill total: ' + total)
    await shot(p, 'drill')
    await p.keyboard.press('Escape')
    // a manual figure filed for the district; its author cannot review it
    await p.locator('[data-test=ind-1] [data-test=ind-data]').click()
    await p.locator('[data-test=actual-period]').fill('2022Q3')
    await p.locator('[data-test=actual-value]').fill('2.61')
    await p.locator('[data-test=actual-file]').click()
    await p.locator('[data-test=actual-rows]').getByText('待审核').waitFor()
    await p.locator('[data-test=actual-own]').waitFor()
    assert((await p.locator('[data-test=actual-rows]').getByRole('button', { name: '通过' }).count()) === 0, 'no 通过 for the author')
  } finally {
    await close()
  }
  // another member of the office accepts it
  const o = await launch()
  try {
    const p = o.ctx.pages()[0] || (await o.ctx.newPage())
    watch(p, 'office')
    await login(p, 'plan_office', PW)
    await p.goto(URL0 + '/plans')
    await p.locator('[data-test=plan-list]').getByText('计划E2E三年行动计划').click()
    await p.locator('[data-test=ind-1] [data-test=ind-data]').click()
    await p.locator('[data-test=actual-rows]').getByRole('button', { name: '通过' }).click()
    await p.locator('[data-test=actual-rows]').getByText('已通过').waitFor()
    await shot(p, 'manual-figure')
    await p.keyboard.press('Escape')
    // the task chart drills down: a status opens the tasks of that status
    const n = Number((await p.locator('[data-test=task-count-on_track]').innerText()).replace(/\D+/g, ''))
    await p.locator('[data-test=task-count-on_track]').click()
    await p.waitForURL(/tab=tasks.*status=on_track|status=on_track.*tab=tasks/)
    await p.locator('[data-test=task-list]').waitFor()
    const tags = await p.locator('[data-test=task-list] [data-test=task-status]').allInnerTexts()
    assert(tags.length === n && tags.every((t) => t.trim() === '正常'), `${n} 正常 tasks listed: ${tags.join(',')}`)
  } finally {
    await o.close()
  }
})

async function openTask(p) {
  await p.goto(URL0 + `/plans/${ids.plan}?tab=tasks`)
  await p.locator('[data-test=task-list]').getByText('落实“海河英才”行动计划').click()
  await p.locator('[data-test=report-period]').waitFor()
  await p.locator('[data-test=report-period]').fill('2022Q3')
}

h.test('report flow: the responsible unit files, the lead unit consolidates, the office accepts', async () => {
  const { ctx, close } = await launch()
  try {
    const p = ctx.pages()[0] || (await ctx.newPage())
    watch(p, 'flow')
    await login(p, 'plan_resp', PW)
    await openTask(p)
    await shot(p, 'drawer')
    await p.locator('[data-test=report-text]').fill('本季度引育创新团队 2 个')
    await p.locator('[data-test=report-file]').click()
    await p.locator('[data-test=report-rows]').getByText('已报送').waitFor()
    assert((await p.locator('[data-test=report-consolidate]').count()) === 0, 'a responsible unit cannot consolidate')
    // 佐证材料: a file on the report, listed under the row
    await p.locator('[data-test=report-rows] .el-table__expand-icon').first().click()
    await p.locator('[data-test=attach-input]').setInputFiles({ name: '团队名单.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 团队名单') })
    await p.locator('[data-test=attachment]').getByText('团队名单.pdf').waitFor()
    await p.locator('[data-test=attach-input]').setInputFiles({ name: '说明.pdf', mimeType: 'application/pdf', buffer: Buffer.from('不是 PDF') })
    await p.locator('.el-message').filter({ hasText: '与扩展名 .pdf 不符' }).waitFor()
    // that refusal is the one 400 the browser logs here
    const bad = consoleErrors.findIndex((t) => t.startsWith('flow:') && t.includes('status of 400'))
    assert(bad >= 0, 'the refused upload was answered 400')
    consoleErrors.splice(bad, 1)
    await shot(p, 'filed')
    await ctx.clearCookies()

    await login(p, 'plan_lead', PW)
    await openTask(p)
    await p.locator('[data-test=report-text]').fill('人才办汇总：引育团队 2 个，进度正常')
    await p.locator('[data-test=report-consolidate]').click()
    await p.locator('[data-test=report-rows]').getByText('已汇总待审核').first().waitFor()
    await ctx.clearCookies()

    await login(p, 'admin', ADMIN_PW)
    await openTask(p)
    await p.locator('[data-test=review-accept]').click()
    await p.locator('[data-test=report-rows]').getByText('已通过').first().waitFor()
    const rows = await p.locator('[data-test=report-rows]').innerText()
    assert(!rows.includes('待审核'), 'every report of the period accepted: ' + rows)
    await shot(p, 'accepted')
  } finally {
    await close()
  }
})

h.test('导入表格 shows problems by row and column; 季度评价 computes a ranked draft', async () => {
  const { ctx, close } = await launch()
  try {
    const p = ctx.pages()[0] || (await ctx.newPage())
    watch(p, 'admin2')
    await login(p, 'admin', ADMIN_PW)
    await p.goto(URL0 + `/plans/${ids.plan}?tab=import`)
    await p.locator('[data-test=import-paste]').fill('序号\t指标名称\t2021年\t2022年\n1\t研发投入强度（%）\t2.6\t120\n')
    await p.locator('[data-test=import-preview]').click()
    const errs = p.locator('[data-test=import-errors]')
    await errs.getByText('百分比不能超过 100').waitFor()
    assert((await errs.innerText()).includes('D'), 'the column is named')
    assert(await p.locator('[data-test=import-apply]').isDisabled(), 'confirm disabled while problems remain')
    await shot(p, 'import-errors')
    await p.goto(URL0 + `/plans/${ids.plan}?tab=eval`)
    await p.locator('[data-test=eval-quarter]').fill('2022Q3')
    await p.locator('[data-test=eval-run]').click()
    await p.locator('[data-test=eval-units]').getByText(RESP).waitFor()
    assert((await p.locator('[data-test=eval-list]').innerText()).includes('草稿'), 'a draft version')
    await shot(p, 'evaluation')
  } finally {
    await close()
  }
})

h.test('口径: the pipeline source is chosen with its tier and stages from the server, and its figure is computed', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  const { ctx, close } = await launch()
  try {
    const p = ctx.pages()[0] || (await ctx.newPage())
    watch(p, 'admin')
    await login(p, 'admin', ADMIN_PW)
    await p.goto(URL0 + `/plans/${ids.plan}`)
    await p.locator('[data-test=ind-2] [data-test=ind-data]').click()
    const pick = async (sel, text) => {
      await p.locator(sel).click()
      await p.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).first().click()
    }
    await pick('[data-test=ind-source]', '培育库各阶段企业数')
    await pick('[data-test=ind-param-tier]', '高新技术企业')
    // a multiple choice stays open: both stages from one opening
    await pick('[data-test=ind-param-stage]', '已入库')
    await p.locator('.el-select-dropdown__item:visible').filter({ hasText: '培育中' }).first().click()
    await p.locator('[data-test=ind-param-tier]').click()
    await p.keyboard.press('Escape')
    await p.getByRole('button', { name: '保存为新版本' }).click()
    await p.locator('.el-message').filter({ hasText: '口径已保存' }).waitFor()
    const plan = await call('GET', `/plans/${ids.plan}`)
    const ind = plan.indicators.find((i) => i.seq === 2)
    assert(ind.source === 'pipeline_stage', 'source saved: ' + ind.source)
    const sp = typeof ind.source_params === 'string' ? JSON.parse(ind.source_params) : ind.source_params
    assert(sp.tier === 'hnte' && sp.stage === 'admitted,cultivating', 'params saved: ' + JSON.stringify(sp))
    const fig = await call('GET', `/plan-indicators/${ids.ind2}/figure`)
    assert(fig.status === 'ok' && fig.value !== null, 'the pipeline figure is computed: ' + JSON.stringify(fig))
    await shot(p, 'pipeline-source')
  } finally {
    await close()
    await call('POST', `/plan-indicators/${ids.ind2}/sources`, { source: 'ip_invention' })
  }
})

h.test('no console errors or uncaught exceptions', async () => {
  assert(consoleErrors.length === 0, consoleErrors.join('\n'))
})

const failed = await h.run()
process.exit(failed ? 1 : 0)
