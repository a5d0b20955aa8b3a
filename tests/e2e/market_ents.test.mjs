// market_ents.test.mjs - an achievement's detail page lists the
// enterprises that could use it (可能需要的企业): the obvious match first
// with its reasons, an enterprise with nothing in common not listed, and
// the CSV export. The database is shared: everything made here is retired
// at the end.
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { harness, launch, assert, uscc, apiAs, login } from './harness.mjs'

const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW

const h = harness()
const ids = {}
let ctx, close, page
const consoleErrors = []

h.test('an achievement and two enterprises through the API', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  ids.good = (
    await call('POST', '/enterprises', {
      uscc: uscc('91120102MA0MEA001'),
      name: '天津磁悬浮轴承电机有限公司',
      unit_id: 1,
      industry_code: 'C3812',
      tech_domain: 8,
    })
  ).id
  await call('PUT', `/enterprises/${ids.good}/years/2025`, { sales_revenue: 300000000, rd_expense: 25000000 })
  ids.other = (
    await call('POST', '/enterprises', {
      uscc: uscc('91120102MA0MEA002'),
      name: '天津浮萍餐饮管理有限公司',
      unit_id: 1,
      industry_code: 'H6210',
    })
  ).id
  ids.ach = (
    await call('POST', '/market-items', {
      kind: 'achievement',
      subkind: '高校',
      title: '磁悬浮轴承电机的振动抑制',
      org_name: '浏览器测试大学',
      summary: '磁悬浮轴承电机高速运行时的振动抑制方法',
      field: 3,
      industry_code: '3812',
    })
  ).id
})

h.test('the detail page lists the obvious match first with its reasons', async () => {
  ;({ ctx, close } = await launch())
  page = ctx.pages()[0] || (await ctx.newPage())
  page.on('pageerror', (e) => consoleErrors.push(e.message))
  await login(page, 'admin', ADMIN_PW)
  await page.goto(process.env.E2E_URL + `/transfer/items/${ids.ach}`)
  await page.locator('h2', { hasText: '可能需要的企业' }).waitFor()
  const rows = page.locator('[data-test=pool-ents] .el-table__body-wrapper .el-table__row')
  await rows.first().waitFor()
  const first = await rows.first().innerText()
  assert(first.includes('天津磁悬浮轴承电机有限公司'), 'first row: ' + first)
  assert(first.includes('相同的词') && first.includes('行业代码 C3812 与成果的前 4 位相同') && first.includes('先进制造与自动化'), 'reasons: ' + first)
  assert(first.includes('2025 年研发费用 2500'), 'R&D reason: ' + first)
  const all = await page.locator('[data-test=pool-ents]').innerText()
  assert(!all.includes('浮萍餐饮'), 'nothing in common, not listed')
  await page.screenshot({ path: join(SHOTS, 'me01-achievement-enterprises.png'), fullPage: true })
})

h.test('the export carries the same list', async () => {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=pool-ents-csv]').click()])
  assert(/\.csv$/.test(dl.suggestedFilename()), 'csv file: ' + dl.suggestedFilename())
  const text = readFileSync(await dl.path(), 'utf8')
  const lines = text.split('\r\n')
  assert(lines[0].includes('企业名称') && lines[0].includes('理由'), 'header: ' + lines[0])
  assert(lines[1].startsWith('1,天津磁悬浮轴承电机有限公司'), 'first row: ' + lines[1])
  assert(!text.includes('浮萍餐饮'), 'not exported either')
  assert(consoleErrors.length === 0, 'page errors: ' + consoleErrors.join(' | '))
  await close()
})

h.test('cleanup: the achievement and the enterprises are retired (the database is shared)', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  await call('PATCH', `/market-items/${ids.ach}`, { retired: true, retire_reason: '浏览器测试数据' })
  for (const id of [ids.good, ids.other]) await call('PATCH', `/enterprises/${id}`, { retired: true, retire_reason: '浏览器测试数据' })
})

const failed = await h.run()
process.exit(failed ? 1 : 0)
