// market_share.test.mjs - sharing records of the 创新资源库 in a real
// browser: an instrument's detail page shows its uses with the totals per
// year, a use recorded through the form (a negative fee refused first), and
// a record deleted with a reason; the import on the list of all uses (a bad
// row reported by row and column, then the valid row written). The
// database is shared: everything made here is retired at the end.
import { writeFileSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { harness, launch, assert, uscc, apiAs, login } from './harness.mjs'

const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW

const h = harness()
const ids = {}
let ctx, close, page
const consoleErrors = []

h.test('an instrument, an enterprise and one use through the API', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  ids.ent = (await call('POST', '/enterprises', { uscc: uscc('91120102MA0MEC001'), name: '天津共享测试材料有限公司', unit_id: 1 })).id
  ids.res = (await call('POST', '/market-items', { kind: 'resource', subkind: '大型科学仪器', title: '浏览器测试扫描电镜', org_name: '天津大学' })).id
  ids.use = (await call('POST', '/resource-uses', { resource_id: ids.res, ent_id: ids.ent, used_from: '2025-03-01', used_to: '2025-03-02', hours: '6.5', fee: '1200', purpose: '断口分析' })).id
})

h.test('the detail page shows the use and the totals; the form records another', async () => {
  ;({ ctx, close } = await launch())
  page = ctx.pages()[0] || (await ctx.newPage())
  page.on('pageerror', (e) => consoleErrors.push(e.message))
  await login(page, 'admin', ADMIN_PW)
  await page.goto(process.env.E2E_URL + `/transfer/items/${ids.res}`)
  await page.locator('h2', { hasText: '共享使用记录' }).waitFor()
  const totals = page.locator('[data-test=share-totals] .el-table__body-wrapper .el-table__row')
  await totals.first().waitFor()
  const t = await totals.first().innerText()
  assert(/2025\s+1\s+6\.5\s+1200/.test(t), 'totals: ' + t)
  await page.locator('[data-test=share-add]').click()
  const dlg = page.locator('.el-dialog:visible', { hasText: '登记共享使用' })
  await dlg.waitFor()
  await dlg.locator('[data-test=share-ent] input').fill('共享测试材料')
  await page.locator('.el-select-dropdown__item:visible', { hasText: '天津共享测试材料有限公司' }).click()
  await dlg.locator('input[name=used_from]').fill('2025-06-01')
  await dlg.locator('input[name=used_from]').press('Enter')
  await dlg.locator('input[name=hours]').fill('2')
  await dlg.locator('input[name=fee]').fill('-5')
  await dlg.locator('[data-test=share-save]').click()
  const err = await dlg.locator('[data-test=share-error]').innerText()
  assert(err.includes('不能为负数'), 'negative fee refused: ' + err)
  await dlg.locator('input[name=fee]').fill('300')
  await dlg.locator('[data-test=share-save]').click()
  await dlg.waitFor({ state: 'hidden' })
  await page.locator('[data-test=share-totals] .el-table__row', { hasText: '8.5' }).waitFor()
  const rows = page.locator('[data-test=share-rows] .el-table__body-wrapper .el-table__row')
  assert((await rows.count()) === 2, 'two uses')
  await page.screenshot({ path: join(SHOTS, 'msh01-instrument-uses.png'), fullPage: true })
})

h.test('a use is deleted with a reason', async () => {
  const rows = page.locator('[data-test=share-rows] .el-table__body-wrapper .el-table__row')
  await rows.first().getByRole('button', { name: '删除' }).click()
  const dlg = page.locator('.el-dialog:visible', { hasText: '删除共享使用记录' })
  await dlg.locator('input').fill('浏览器测试数据')
  await dlg.getByRole('button', { name: '删除' }).click()
  await page.locator('[data-test=share-totals] .el-table__row', { hasText: '6.5' }).waitFor()
  assert((await rows.count()) === 1, 'one use left')
  assert(consoleErrors.length === 0, 'page errors: ' + consoleErrors.join(' | '))
})

h.test('the list of all uses imports a file: a bad row reported by row and column, then the valid row written', async () => {
  const f = join(SHOTS, 'share-import.csv')
  writeFileSync(
    f,
    '共享使用登记\r\n资源名称,所属单位（资源）,使用企业,开始日期,结束日期,使用时长（小时）,收费（元）,用途\r\n' +
      '浏览器测试扫描电镜,天津大学,天津共享测试材料有限公司,2025-07-01,,3,600,导入测试\r\n' +
      '浏览器测试扫描电镜,天津大学,天津共享测试材料有限公司,2025-07-05,2025-07-01,3,600,导入测试\r\n',
  )
  try {
    await page.goto(process.env.E2E_URL + '/transfer/resource-uses')
    await page.locator('[data-test=share-import]').click()
    const dlg = page.locator('.el-dialog:visible', { hasText: '导入共享使用记录' })
    await dlg.locator('[data-test=share-import-file]').setInputFiles(f)
    await dlg.locator('[data-test=share-import-check]').click()
    const errs = dlg.locator('[data-test=share-import-report] .el-table__body-wrapper .el-table__row')
    await errs.first().waitFor()
    const cells = (await errs.first().locator('td').allInnerTexts()).map((x) => x.trim())
    assert(cells[0] === '4' && cells[1] === '结束日期', 'error row 4, column 结束日期: ' + cells)
    await dlg.getByText('只导入有效行').click()
    await dlg.locator('[data-test=share-import-apply]').click()
    await dlg.locator('[data-test=share-import-report]', { hasText: '已写入 1 条' }).waitFor()
    await page.screenshot({ path: join(SHOTS, 'msh02-import.png'), fullPage: true })
    await dlg.getByRole('button', { name: '关闭', exact: true }).click()
    await page.locator('[data-test=share-rows] .el-table__row', { hasText: '导入测试' }).waitFor()
    assert(consoleErrors.length === 0, 'page errors: ' + consoleErrors.join(' | '))
  } finally {
    unlinkSync(f)
    await close()
  }
})

h.test('cleanup: the uses, the instrument and the enterprise are retired (the database is shared)', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  const left = await call('GET', `/resource-uses?resource_id=${ids.res}`)
  for (const u of left.items) await call('POST', `/resource-uses/${u.id}/retire`, { reason: '浏览器测试数据' })
  await call('PATCH', `/market-items/${ids.res}`, { retired: true, retire_reason: '浏览器测试数据' })
  await call('PATCH', `/enterprises/${ids.ent}`, { retired: true, retire_reason: '浏览器测试数据' })
})

const failed = await h.run()
process.exit(failed ? 1 : 0)
