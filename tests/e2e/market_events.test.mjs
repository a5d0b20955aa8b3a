// market_events.test.mjs - 成果对接会 in a real browser: an event made
// through the form (an attendee listed twice is refused with the row
// named, then saved), found in the list by its filter, its detail page with
// attendance and the intended deal, the cancellation with a reason, and
// the import dialog (a bad row named by row and column, then the valid
// event only); the pool's import uses the same dialog, and the list names
// the imported item's status from the server's table.
// The database is shared: the event ends cancelled (events are never
// deleted), the enterprise and the imported pool item retired.
import { writeFileSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { harness, launch, assert, uscc, apiAs, login } from './harness.mjs'

const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW

const h = harness()
const ids = {}
let ctx, close, page
const consoleErrors = []

h.test('an enterprise through the API', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  ids.ent = (await call('POST', '/enterprises', { uscc: uscc('91120102MA0MEB001'), name: '天津对接会测试科技有限公司', unit_id: 1 })).id
})

h.test('the form refuses an attendee listed twice, then saves the event', async () => {
  ;({ ctx, close } = await launch())
  page = ctx.pages()[0] || (await ctx.newPage())
  page.on('pageerror', (e) => consoleErrors.push(e.message))
  await login(page, 'admin', ADMIN_PW)
  await page.goto(process.env.E2E_URL + '/transfer/events')
  await page.locator('h1', { hasText: '成果对接会' }).waitFor()
  await page.locator('[data-test=event-create]').click()
  const dlg = page.locator('.el-dialog:visible', { hasText: '新增成果对接会' })
  await dlg.waitFor()
  await dlg.locator('input[name=title]').fill('浏览器测试智能制造对接会')
  await dlg.locator('input[name=held_on]').fill('2026-05-20')
  await dlg.locator('input[name=held_on]').press('Enter')
  await dlg.locator('input[name=place]').fill('科技局报告厅')
  for (let i = 0; i < 2; i++) {
    await dlg.locator('[data-test=event-add-attendee]').click()
    const row = dlg.locator('[data-test=event-attendee]').nth(i)
    await row.locator('input[placeholder=名称]').fill('天津大学')
  }
  await dlg.locator('[data-test=event-add-deal]').click()
  const deal = dlg.locator('[data-test=event-deal]').first()
  await deal.locator('input[placeholder=项目名称]').fill('振动抑制算法许可')
  await deal.locator('input[placeholder="意向金额（万元）"]').fill('35.5')
  // statuses and kinds come from the server (events of /reference/market-items)
  const form = await dlg.innerText()
  assert(form.includes('筹备中') && form.includes('已举办') && !form.includes('已取消'), 'settable statuses: ' + form)
  await dlg.locator('[data-test=event-save]').click()
  const err = await dlg.locator('[data-test=event-error]').innerText()
  assert(err.includes('参会单位第 2 行与第 1 行重复'), 'duplicate named: ' + err)
  await dlg.locator('[data-test=event-attendee]').nth(1).locator('input[placeholder=名称]').fill('天津对接会测试科技有限公司')
  await dlg.locator('[data-test=event-save]').click()
  await page.waitForURL(/\/transfer\/events\/\d+/)
  ids.event = parseInt(page.url().split('/').pop(), 10)
  await page.locator('[data-test=event-status]', { hasText: '筹备中' }).waitFor()
  const deals = await page.locator('[data-test=event-deals]').innerText()
  assert(deals.includes('振动抑制算法许可') && deals.includes('35.50'), 'deal: ' + deals)
  const att = await page.locator('[data-test=event-attendees]').innerText()
  assert(att.includes('天津大学') && att.includes('天津对接会测试科技有限公司') && att.includes('企业'), 'attendees: ' + att)
  assert(deals.includes('意向成交'), 'deal kind named: ' + deals)
  await page.screenshot({ path: join(SHOTS, 'mev01-event-detail.png'), fullPage: true })
})

h.test('the list finds it by its filter; cancelling asks for a reason', async () => {
  await page.goto(process.env.E2E_URL + '/transfer/events?q=' + encodeURIComponent('浏览器测试智能制造'))
  const rows = page.locator('.el-table__body-wrapper .el-table__row')
  await rows.first().waitFor()
  assert((await rows.count()) === 1, 'one row')
  await rows.first().click()
  await page.waitForURL(/\/transfer\/events\/\d+/)
  await page.locator('[data-test=event-cancel]').click()
  const dlg = page.locator('.el-dialog:visible', { hasText: '取消对接会' })
  await dlg.locator('input[name=cancel_reason]').fill('浏览器测试数据')
  await dlg.locator('[data-test=event-cancel-ok]').click()
  await page.locator('[data-test=event-status]', { hasText: '已取消' }).waitFor()
})

h.test('the list imports a file: a bad row reported by row and column, then the valid event written', async () => {
  const f = join(SHOTS, 'event-import.csv')
  writeFileSync(
    f,
    '对接会导入\r\n对接会名称,举办日期,状态,参会单位,参会单位类型,是否到会,意向成交项目,意向金额（万元）\r\n' +
      '浏览器测试导入对接会,2026-05-21,已举办,天津大学,机构,是,导入测试许可,12\r\n' +
      '浏览器测试导入对接会二,2026-05-22,,南开大学,机构,也许,,\r\n',
  )
  try {
    await page.goto(process.env.E2E_URL + '/transfer/events')
    await page.locator('[data-test=event-import]').click()
    const dlg = page.locator('.el-dialog:visible', { hasText: '导入成果对接会' })
    await dlg.locator('[data-test=event-import-file]').setInputFiles(f)
    await dlg.locator('[data-test=event-import-check]').click()
    const errs = dlg.locator('[data-test=event-import-report] .el-table__body-wrapper .el-table__row')
    await errs.first().waitFor()
    const cells = (await errs.first().locator('td').allInnerTexts()).map((x) => x.trim())
    assert(cells[0] === '4' && cells[1] === '是否到会', 'error row 4, column 是否到会: ' + cells)
    await dlg.getByText('只导入无误的对接会').click()
    await dlg.locator('[data-test=event-import-apply]').click()
    await dlg.locator('[data-test=event-import-report]', { hasText: '已写入 1 场' }).waitFor()
    await page.screenshot({ path: join(SHOTS, 'mev02-import.png'), fullPage: true })
    await dlg.getByRole('button', { name: '关闭', exact: true }).click()
    await page.locator('.el-table__row', { hasText: '浏览器测试导入对接会' }).waitFor()
    assert(consoleErrors.length === 0, 'page errors: ' + consoleErrors.join(' | '))
  } finally {
    unlinkSync(f)
  }
})

h.test('the pool imports through the same dialog; the list names the status', async () => {
  const f = join(SHOTS, 'pool-import.csv')
  writeFileSync(f, '成果名称,持有方,持有方类型\r\n浏览器测试导入成果,天津大学,高校\r\n,南开大学,高校\r\n')
  try {
    await page.goto(process.env.E2E_URL + '/transfer/items?kind=achievement')
    await page.locator('[data-test=pool-import]').click()
    const dlg = page.locator('.el-dialog:visible', { hasText: '导入' })
    await dlg.locator('[data-test=pool-import-file]').setInputFiles(f)
    await dlg.locator('[data-test=pool-import-check]').click()
    const errs = dlg.locator('[data-test=pool-import-report] .el-table__body-wrapper .el-table__row')
    await errs.first().waitFor()
    const cells = (await errs.first().locator('td').allInnerTexts()).map((x) => x.trim())
    assert(cells[1] === '成果名称', 'error column 成果名称: ' + cells)
    await dlg.getByText('只导入有效行').click()
    await dlg.locator('[data-test=pool-import-apply]').click()
    await dlg.locator('[data-test=pool-import-report]', { hasText: '已写入 1 条' }).waitFor()
    await dlg.getByRole('button', { name: '关闭', exact: true }).click()
    const ref = await (await apiAs('admin', ADMIN_PW))('GET', '/reference/market-items')
    const st = ref.kinds.find((k) => k.value === 'achievement').columns.find((c) => c.key === 'status')
    const open = st.options.find((o) => o.value === 'open').label
    await page.locator('.el-table__row', { hasText: '浏览器测试导入成果' }).filter({ hasText: open }).waitFor()
    assert(consoleErrors.length === 0, 'page errors: ' + consoleErrors.join(' | '))
  } finally {
    unlinkSync(f)
    await close()
  }
})

h.test('cleanup: the enterprise is retired (the database is shared)', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  if (ids.event) {
    const ev = await call('GET', `/market-events/${ids.event}`)
    if (ev.status !== 'cancelled') await call('POST', `/market-events/${ids.event}/cancel`, { reason: '浏览器测试数据' })
  }
  const imported = await call('GET', '/market-events?q=' + encodeURIComponent('浏览器测试导入对接会'))
  for (const ev of imported.items) {
    if (ev.status !== 'cancelled') await call('POST', `/market-events/${ev.id}/cancel`, { reason: '浏览器测试数据' })
  }
  await call('PATCH', `/enterprises/${ids.ent}`, { retired: true, retire_reason: '浏览器测试数据' })
  const items = await call('GET', '/market-items?kind=achievement&q=' + encodeURIComponent('浏览器测试导入成果'))
  for (const it of items.items) await call('PATCH', `/market-items/${it.id}`, { retired: true, retire_reason: '浏览器测试数据' })
})

const failed = await h.run()
process.exit(failed ? 1 : 0)
