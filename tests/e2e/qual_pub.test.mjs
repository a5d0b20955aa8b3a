// qual_pub.test.mjs - a published 高企 list (tests/data/qual/hnte_2023.xlsx:
// one sheet per district, title and 发文 rows, notes and 合计 below the
// table) imported from 资质登记 in a real browser: the report lists the
// rows of both sheets with their sheet, the ambiguous row of 和平区 is
// resolved by picking an enterprise, the unmatched one is left, and the
// apply writes five records. The enterprises and the street are retired at
// the end so that the other browser tests see only their own data.
import { join } from 'node:path'
import { harness, launch, assert, uscc, apiAs, login } from './harness.mjs'

const URL0 = process.env.E2E_URL
const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW
const UNIT = '名单导入街道'
const NAMES = ['华信电子（天津）有限公司', '天津甲乙科技有限公司', '天津重名科技有限公司', '天津重名科技有限公司', '天津丙丁新材料有限公司', '天津戊己软件有限公司']

const h = harness()
let ctx, close, page, call
const consoleErrors = []
const ids = []

h.test('setup through the API: a street with the six enterprises of the list', async () => {
  call = await apiAs('admin', ADMIN_PW)
  const units = await call('GET', '/org-units')
  const root = units.items.find((u) => u.parent_id === null).id
  ids.unit = (await call('POST', '/org-units', { name: UNIT, kind: 'subdistrict', parent_id: root })).id
  for (let i = 0; i < NAMES.length; i++) {
    ids.push((await call('POST', '/enterprises', { uscc: uscc('91120102MA0PUB00' + i), name: NAMES[i], unit_id: ids.unit })).id)
  }
})

h.test('import the two-sheet workbook: rows named by sheet, the ambiguous one picked, five written', async () => {
  ;({ ctx, close } = await launch())
  page = ctx.pages()[0] || (await ctx.newPage())
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 401/.test(m.text())) consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => consoleErrors.push(e.message))
  await login(page, 'admin', ADMIN_PW)
  await page.goto(URL0 + '/ladder/qualifications')
  await page.locator('[data-test=qual-import]').click()
  const dlg = page.locator('[data-test=qual-import-dialog]')
  await dlg.locator('[data-test=imp-kind]').click()
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: /^高新技术企业$/ }).click()
  await dlg.locator('[data-test=imp-file]').setInputFiles(join(process.cwd(), 'tests/data/qual/hnte_2023.xlsx'))
  await dlg.locator('[data-test=imp-check]').click()
  const rows = dlg.locator('[data-test=imp-rows] .el-table__body-wrapper .el-table__row')
  await rows.first().waitFor({ timeout: 30000 })
  assert((await rows.count()) === 6, 'six rows of two sheets: ' + (await rows.count()))
  const all = (await rows.allInnerTexts()).join('\n')
  assert(all.includes('河东区') && all.includes('天津戊己软件有限公司'), 'the second sheet is read: ' + all)
  assert(!all.includes('合计') && !all.includes('注：'), 'no note or total row: ' + all)
  assert((await dlg.locator('th', { hasText: '工作表' }).count()) > 0, 'a sheet column')
  await dlg.locator('[data-test="imp-resolve-和平区#7"]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '天津重名科技有限公司' }).first().click()
  await page.screenshot({ path: join(SHOTS, 'p01-qual-pub.png'), fullPage: true })
  await dlg.locator('[data-test=imp-apply]').click()
  await page.locator('.el-message', { hasText: '已导入 5 条' }).waitFor({ timeout: 30000 })
  let n = 0
  for (const id of ids) n += (await call('GET', `/enterprises/${id}/qualifications`)).items.length
  assert(n === 5, 'five records: ' + n)
})

h.test('cleanup: the enterprises and the street are retired', async () => {
  for (const id of ids) await call('PATCH', '/enterprises/' + id, { retired: true, retire_reason: '浏览器测试数据' })
  await call('PATCH', '/org-units/' + ids.unit, { retired: true, retire_reason: '浏览器测试数据' })
})

h.test('no console errors or uncaught exceptions', async () => {
  assert(consoleErrors.length === 0, consoleErrors.join('\n'))
})

const failed = await h.run()
if (close) await close()
process.exit(failed ? 1 : 0)
