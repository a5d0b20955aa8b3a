// market_events.test.mjs - 成果对接会 in a real browser: an event made
// through the form (an attendee listed twice is refused with the row
// named, then saved), found in the list by its filter, its detail page with
// attendance and the intended deal, and the cancellation with a reason.
// The database is shared: the event ends cancelled (events are never
// deleted), the enterprise retired.
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
  assert(att.includes('天津大学') && att.includes('天津对接会测试科技有限公司'), 'attendees: ' + att)
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
  assert(consoleErrors.length === 0, 'page errors: ' + consoleErrors.join(' | '))
  await close()
})

h.test('cleanup: the enterprise is retired (the database is shared)', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  if (ids.event) {
    const ev = await call('GET', `/market-events/${ids.event}`)
    if (ev.status !== 'cancelled') await call('POST', `/market-events/${ids.event}/cancel`, { reason: '浏览器测试数据' })
  }
  await call('PATCH', `/enterprises/${ids.ent}`, { retired: true, retire_reason: '浏览器测试数据' })
})

const failed = await h.run()
process.exit(failed ? 1 : 0)
