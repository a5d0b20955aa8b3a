// market.test.mjs - technology contracts in a real browser: the import of
// a registration office's export (title rows, header on row 3, amounts in
// 元, totals row) with its validation report naming row and column, the
// valid-rows-only import with a confirmed large amount, and the statistics
// dashboard whose month row drills down to the contract list and on to a
// contract's events.
import { join } from 'node:path'
import { harness, launch, assert } from './harness.mjs'

const URL0 = process.env.E2E_URL
const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW
const DATA = join(process.cwd(), 'tests/data/market')

const h = harness()
let ctx, close, page
const consoleErrors = []
let shotN = 0

async function shot(p, name) {
  shotN++
  await p.screenshot({ path: join(SHOTS, `m${String(shotN).padStart(2, '0')}-${name}.png`), fullPage: true })
}

function watch(p) {
  p.on('console', (m) => {
    if (m.type() !== 'error') return
    const t = m.text()
    if (/Failed to load resource: the server responded with a status of (401|422)/.test(t)) return
    consoleErrors.push(t)
  })
  p.on('pageerror', (e) => consoleErrors.push(e.message))
}

const rows = () => page.locator('.dt .el-table__body-wrapper .el-table__row')

h.test('login and open 技术合同 → 合同登记', async () => {
  ;({ ctx, close } = await launch())
  page = ctx.pages()[0] || (await ctx.newPage())
  watch(page)
  await page.goto(URL0 + '/login')
  await page.locator('input[name=username]').fill('admin')
  await page.locator('input[name=password]').fill(ADMIN_PW)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL(/\/workbench/)
  await page.getByRole('menuitem', { name: '合同登记' }).click()
  await page.waitForURL(/\/contracts/)
  await page.locator('h1', { hasText: '技术合同登记' }).waitFor()
})

h.test('import report: bad rows named by row and column, nothing written', async () => {
  await page.locator('[data-test=contract-import]').click()
  const dlg = page.locator('.el-dialog:visible', { hasText: '导入技术合同登记数据' })
  await dlg.waitFor()
  await dlg.locator('[data-test=ci-file]').setInputFiles(join(DATA, 'contracts_bad.csv'))
  await dlg.locator('[data-test=ci-check]').click()
  const rep = dlg.locator('[data-test=ci-report]')
  await rep.waitFor()
  const text = await rep.innerText()
  assert(text.includes('有误 5'), 'report summary: ' + text)
  const errRows = dlg.locator('[data-test=ci-errors] .el-table__row')
  await errRows.first().waitFor()
  const r4 = (await errRows.filter({ hasText: '不能大于合同成交额' }).innerText()).split(/\s+/)
  assert(r4[0] === '4' && r4[1] === '技术交易额', 'row 4 error: ' + r4.join(' '))
  const r7 = await errRows.filter({ hasText: '校验码' }).innerText()
  assert(/^7\s+卖方统一社会信用代码/.test(r7), 'USCC error: ' + r7)
  assert(await dlg.locator('[data-test=ci-apply]').isDisabled(), 'all-or-nothing with errors cannot apply')
  await shot(page, 'import-report')
  const n = await page.evaluate(async () => (await (await fetch('/api/v1/contracts?q=20241201000003')).json()).total)
  assert(n === 0, 'nothing written: ' + n)
})

h.test('valid rows only, with the large amount confirmed', async () => {
  const dlg = page.locator('.el-dialog:visible', { hasText: '导入技术合同登记数据' })
  await dlg.getByText('只导入有效行').click()
  await dlg.locator('[data-test=ci-large]').click()
  await dlg.locator('[data-test=ci-apply]').click()
  await dlg.locator('.ok', { hasText: '已写入' }).waitFor()
  const text = await dlg.locator('[data-test=ci-report]').innerText()
  assert(text.includes('新登记 2'), 'applied: ' + text)
  // the July export, too, for the statistics
  await dlg.locator('[data-test=ci-file]').setInputFiles(join(DATA, 'contracts_2024_07.csv'))
  await dlg.getByText('有错误时全部不导入').click()
  await dlg.locator('[data-test=ci-check]').click()
  await dlg.locator('[data-test=ci-report]', { hasText: '（未写入）' }).waitFor()
  await dlg.locator('[data-test=ci-apply]').click()
  await dlg.locator('.ok', { hasText: '已写入' }).waitFor()
  const t2 = await dlg.locator('[data-test=ci-report]').innerText()
  assert(t2.includes('新登记 3') && !t2.includes('校验：'), 'July applied: ' + t2)
  await dlg.getByRole('button', { name: '关闭', exact: true }).click()
  await page.locator('.dt').waitFor()
})

h.test('statistics: 2024 by month, July drills down to its contracts', async () => {
  await page.getByRole('menuitem', { name: '统计分析' }).click()
  await page.waitForURL(/\/contract-stats/)
  await page.locator('[data-test=st-year]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '2024 年' }).click()
  const july = page.locator('[data-test=st-drill-2024-07]')
  await july.waitFor()
  const total = await page.locator('[data-test=st-total]').innerText()
  assert(/5 份/.test(total), 'year total: ' + total)
  await page.locator('.kc-chart canvas').first().waitFor()
  await shot(page, 'stats')
  await july.click()
  await page.waitForURL(/\/contracts\?.*month=2024-07/)
  await page.locator('.dt .el-table__row').first().waitFor()
  // 3 from the July export; the valid rows of the bad file were registered on 2024-07-05 too
  const n = await rows().count()
  assert(n === 5, 'drill-down rows: ' + n)
  await shot(page, 'drill-down')
})

h.test('a contract of the list shows its registration event', async () => {
  await rows().filter({ hasText: '2024120100000101' }).first().click()
  await page.waitForURL(/\/contracts\/\d+/)
  const ev = page.locator('[data-test=contract-events]')
  await ev.waitFor()
  assert((await ev.innerText()).includes('登记'), 'events: ' + (await ev.innerText()))
  await shot(page, 'detail')
  // cancelled: the event names the changed fields and their codes with the
  // server's names (GET /reference/contracts)
  await page.locator('[data-test=contract-cancel]').click()
  await page.locator('input[name=cancel_reason]').fill('重复登记')
  await page.locator('.el-dialog .el-button--danger').click()
  await ev.locator('text=注销日期').waitFor()
  const text = await ev.innerText()
  assert(text.includes('状态：已登记 → 已注销'), 'cancel event: ' + text)
  assert(text.includes('原因：— → 重复登记'), 'cancel event: ' + text)
})

async function call(method, path, body) {
  return page.evaluate(
    async ([m, p, b]) => {
      const s = await (await fetch('/api/v1/session')).json()
      const res = await fetch('/api/v1' + p, {
        method: m,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
        body: JSON.stringify(b),
      })
      return { status: res.status, json: await res.json().catch(() => null) }
    },
    [method, path, body],
  )
}

h.test('challenge board: a demand with its matches becomes a challenge, is published and shows on the board', async () => {
  const d = await call('POST', '/market-items', {
    kind: 'demand',
    title: '伺服电机高速运行振动抑制',
    org_name: '天津浏览器测试机电有限公司',
    summary: '伺服电机在高速运行时振动偏大',
    field: 3,
  })
  assert(d.status === 201, 'demand: ' + d.status + JSON.stringify(d.json))
  const a = await call('POST', '/market-items', {
    kind: 'achievement',
    subkind: 'university',
    title: '一种伺服电机振动抑制方法',
    org_name: '天津大学',
    field: 3,
  })
  assert(a.status === 201, 'achievement: ' + a.status)
  await page.getByRole('menuitem', { name: '资源库', exact: true }).click()
  await page.waitForURL(/\/transfer\/items/)
  await page.locator('[data-test=pool-tabs]').getByText('需求库', { exact: true }).click()
  const row = page.locator('.dt .el-table__row', { hasText: '伺服电机高速运行振动抑制' })
  await row.first().waitFor()
  await shot(page, 'pool-list')
  await row.first().click()
  await page.waitForURL(/\/transfer\/items\/\d+/)
  const m = page.locator('[data-test=pool-matches] .el-table__row').first()
  await m.waitFor()
  assert((await m.innerText()).includes('一种伺服电机振动抑制方法'), 'best match: ' + (await m.innerText()))
  // the kind as the server names it (kind_name)
  assert((await m.innerText()).includes('成果库'), 'match kind: ' + (await m.innerText()))
  await shot(page, 'matches')
  await page.locator('[data-test=pool-publish]').click()
  await page.locator('input[name=reward]').fill('50')
  await page.locator('[data-test=pool-publish-ok]').click()
  await page.waitForURL(/\/transfer\/challenges\/\d+/)
  await page.locator('[data-test=ch-stage]', { hasText: '待审核' }).waitFor()
  await page.locator('[data-test=ch-publish]').click()
  await page.locator('[data-test=ch-run]').click()
  await page.locator('[data-test=ch-stage]', { hasText: '已发榜' }).waitFor()
  // apply: the applicant kinds offered and shown are the server's
  await page.locator('[data-test=ch-apply]').click()
  await page.locator('input[name=applicant]').fill('天津大学')
  await page.locator('[data-test=ch-applicant-kind]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '科研院所' }).click()
  await page.locator('textarea[name=proposal]').fill('陷波滤波方案')
  await page.locator('[data-test=ch-run]').click()
  const app = page.locator('.el-table__row', { hasText: '天津大学' })
  await app.first().waitFor()
  assert((await app.first().innerText()).includes('科研院所'), 'application: ' + (await app.first().innerText()))
  const id = page.url().match(/(\d+)$/)[1]
  await page.getByRole('menuitem', { name: '揭榜挂帅' }).click()
  const card = page.locator(`[data-test=challenge-${id}]`)
  await card.waitFor()
  await shot(page, 'board')
  const col = await card.locator('xpath=..').innerText()
  assert(col.startsWith('已发榜'), 'board column: ' + col.slice(0, 40))
})

h.test('no console errors or uncaught exceptions', async () => {
  assert(consoleErrors.length === 0, consoleErrors.join('\n'))
})

const failed = await h.run()
if (close) await close()
process.exit(failed ? 1 : 0)
