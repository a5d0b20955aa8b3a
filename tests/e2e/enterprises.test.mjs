// enterprises.test.mjs - the 企业库 pages in a real browser against the
// real server (started by tests/scripts/e2e.sh): create with a field
// error, yearly figures and the trend chart, IP rights, facts, the change
// history, retire; list filters and export; what a 街道专员 and a 领导 see.
// Small data are set up through the API.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { harness, launch, assert, uscc, apiAs, USCC_CHARS } from './harness.mjs'
import { wanToYuanString, wanToYuan, bpPercent } from '../../web/src/views/enterprises/entRef.js'

const URL0 = process.env.E2E_URL
const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW
const TMP = process.env.E2E_TMP || '/tmp'
const UNIT_A = '春华街道'
const UNIT_B = '秋实街道'
const UNIT_B1 = '秋实东社区'
const AGENT = 'ent_agent'
const LEADER = 'ent_leader'
const PW = 'Entpages2026x'

const h = harness()
let admin, page
const consoleErrors = []
let shotN = 0
const ids = {}

async function shot(p, name) {
  shotN++
  await p.screenshot({ path: join(SHOTS, `e${String(shotN).padStart(2, '0')}-${name}.png`) })
}

// Console errors and uncaught exceptions. HTTP errors the tests provoke on
// purpose are expected: 400 (a wrong 统一社会信用代码) and 404 (another
// unit's enterprise), 401 before login.
function watch(p, who) {
  p.on('console', (m) => {
    if (m.type() !== 'error') return
    const t = m.text()
    if (/Failed to load resource: the server responded with a status of (400|401|404)/.test(t)) return
    consoleErrors.push(`${who}: ${t}`)
  })
  p.on('pageerror', (e) => consoleErrors.push(`${who}: ${e.message}`))
}

// A valid 统一社会信用代码 (GB 32100 check character) from 17 characters.

// A small API client with its own session (node's fetch).

async function login(p, user, pw) {
  await p.goto(URL0 + '/login')
  await p.locator('input[name=username]').fill(user)
  await p.locator('input[name=password]').fill(pw)
  await p.getByRole('button', { name: '登录' }).click()
}

// Pick an option of an Element Plus select/tree-select by visible text.
async function pick(p, trigger, text) {
  await trigger.click()
  const opt = p.locator('.el-select-dropdown:visible, .el-tree-select__popper:visible').last().getByText(text, { exact: true }).first()
  await opt.click()
}

const rowsOf = (p) => p.locator('.dt .el-table__body-wrapper .el-table__row')
// the first cell after the selection checkbox: the name
const NAME_TD = 'td:not(.el-table-column--selection)'
// Run action (a click, a reload) and wait for the list request it causes
// to be answered and rendered.
async function listLoad(p, action) {
  await Promise.all([
    p.waitForResponse((r) => /\/api\/v1\/enterprises\?/.test(r.url()) && r.request().method() === 'GET' && !r.url().includes('format=')),
    action(),
  ])
  await p.locator('.dt .el-loading-mask').waitFor({ state: 'hidden' }).catch(() => {})
  await p.waitForTimeout(150)
}
async function listNames(p) {
  await p.locator('.dt .el-loading-mask').waitFor({ state: 'hidden' }).catch(() => {})
  await p.waitForTimeout(200)
  const n = await rowsOf(p).count()
  const out = []
  for (let i = 0; i < n; i++) out.push((await rowsOf(p).nth(i).locator(NAME_TD).first().innerText()).trim())
  return out.sort()
}

h.test('万元 input → 元 exactly, R&D intensity from basis points (node, no browser)', () => {
  const eq = (a, b) => assert(a === b, `${JSON.stringify(a)} !== ${JSON.stringify(b)}`)
  const throws = (fn, re) => {
    try {
      fn()
    } catch (e) {
      assert(re.test(e.message), 'message: ' + e.message)
      return
    }
    assert(false, 'expected an error')
  }
  eq(wanToYuanString('1234.5678'), '12345678')
  eq(wanToYuanString(' 1,200 '), '12000000')
  eq(wanToYuanString('0.0001'), '1')
  eq(wanToYuanString('0'), '0')
  eq(wanToYuanString('007.5'), '75000')
  eq(wanToYuanString(''), null)
  eq(wanToYuanString('-3.5', { negative: true }), '-35000')
  eq(wanToYuanString('-0', { negative: true }), '0')
  eq(wanToYuanString('12345678901234567.8901'), '123456789012345678901') // beyond 2^53, as text
  eq(wanToYuan('900719925474.0991'), 9007199254740991)
  throws(() => wanToYuan('900719925474.0992'), /过大/)
  throws(() => wanToYuanString('1.23456'), /4 位小数/)
  throws(() => wanToYuanString('-1'), /负数/)
  throws(() => wanToYuanString('1e5'), /数字/)
  throws(() => wanToYuanString('12万'), /数字/)
  eq(bpPercent(1503), '15.03%')
  eq(bpPercent(7), '0.07%')
  eq(bpPercent(0), '0.00%')
  eq(bpPercent(null), '')
})

h.test('setup through the API: units, users, three enterprises with figures', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  const units = await call('GET', '/org-units')
  const root = units.items.find((u) => u.parent_id === null).id
  ids.unitA = (await call('POST', '/org-units', { name: UNIT_A, kind: 'subdistrict', parent_id: root })).id
  ids.unitB = (await call('POST', '/org-units', { name: UNIT_B, kind: 'subdistrict', parent_id: root })).id
  ids.unitB1 = (await call('POST', '/org-units', { name: UNIT_B1, kind: 'community', parent_id: ids.unitB })).id
  await call('POST', '/users', { username: AGENT, display_name: '企业库专员', role: 'agent', unit_id: ids.unitA, password: PW, must_change_password: false })
  await call('POST', '/users', { username: LEADER, display_name: '企业库领导', role: 'leader', unit_id: root, password: PW, must_change_password: false })
  const mk = async (n, name, unit, revenue) => {
    const e = await call('POST', '/enterprises', { uscc: uscc(`91120102MA0E2E${String(n).padStart(3, '0')}`), name, unit_id: unit })
    await call('PUT', `/enterprises/${e.id}/years/2025`, { sales_revenue: revenue, rd_expense: Math.floor(revenue / 20) })
    return e.id
  }
  ids.e1 = await mk(1, '天津春华光电科技有限公司', ids.unitA, 30000000)
  ids.e2 = await mk(2, '天津秋实生物医药有限公司', ids.unitB, 3000000)
  ids.e3 = await mk(3, '天津光电传感技术有限公司', ids.unitB, 80000000)
})

h.test('admin lands on 工作台; 企业名录 is the next area of the menu', async () => {
  ;({ ctx: admin } = await launch())
  page = admin.pages()[0] || (await admin.newPage())
  watch(page, 'admin')
  await login(page, 'admin', ADMIN_PW)
  await page.waitForURL(/\/workbench/)
  const menu = (await page.locator('aside .el-sub-menu__title').allInnerTexts()).map((s) => s.trim())
  assert(menu[0] === '工作台' && menu[1] === '企业库', 'menu: ' + menu)
  await page.goto(URL0 + '/enterprises')
  await rowsOf(page).first().waitFor()
  const names = await listNames(page)
  assert(names.length === 3, 'rows: ' + names)
  const row = await rowsOf(page).filter({ hasText: '天津光电传感' }).innerText()
  assert(row.includes('8,000.00') && row.includes('5.00%') && row.includes('91 120102 MA0E2E003'), 'money in 万元, % and USCC formatted: ' + row)
  await shot(page, 'list')
})

h.test('list filters: a 2-character search, a revenue band and the unit narrow the list', async () => {
  await page.locator('input[name=q]').fill('光电')
  await listLoad(page, () => page.getByRole('button', { name: '查询' }).click())
  await page.waitForURL(/q=%E5%85%89%E7%94%B5/)
  let names = await listNames(page)
  assert(JSON.stringify(names) === JSON.stringify(['天津光电传感技术有限公司', '天津春华光电科技有限公司']), 'q=光电: ' + names)
  await pick(page, page.locator('[data-test=f-revenue]'), '2000–5000 万元')
  await listLoad(page, () => page.getByRole('button', { name: '查询' }).click())
  await page.waitForURL(/revenue_max=4999\.9999/)
  names = await listNames(page)
  assert(JSON.stringify(names) === JSON.stringify(['天津春华光电科技有限公司']), 'q + band: ' + names)
  await shot(page, 'list-filtered')
  await page.getByRole('button', { name: '重置' }).click()
  await page.waitForURL((u) => !u.search.includes('q='))
  await pick(page, page.locator('[data-test=f-unit] .el-select'), UNIT_B)
  await listLoad(page, () => page.getByRole('button', { name: '查询' }).click())
  await page.waitForURL(new RegExp('unit_id=' + ids.unitB))
  names = await listNames(page)
  assert(JSON.stringify(names) === JSON.stringify(['天津光电传感技术有限公司', '天津秋实生物医药有限公司']), 'unit B: ' + names)
  // the state is in the URL: a reload keeps it
  await listLoad(page, () => page.reload())
  names = await listNames(page)
  assert(names.length === 2, 'after reload: ' + names)
})

h.test('export downloads a valid XLSX of the current filter', async () => {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-xlsx]').click()])
  const file = join(TMP, 'ent-export.xlsx')
  await dl.saveAs(file)
  const buf = readFileSync(file)
  assert(buf.length > 200 && buf[0] === 0x50 && buf[1] === 0x4b, 'zip signature')
  const s = buf.toString('latin1')
  assert(s.includes('xl/workbook.xml') && s.includes('xl/worksheets/sheet1.xml'), 'xlsx parts present')
  assert(/\.xlsx$/.test(dl.suggestedFilename()), 'file name: ' + dl.suggestedFilename())
  await page.getByRole('button', { name: '重置' }).click()
})

h.test('a click on 销售收入 sorts through the API (sort in the URL)', async () => {
  await page.waitForURL((u) => !u.search.includes('unit_id='))
  const header = page.locator('.dt .el-table__header-wrapper th', { hasText: '销售收入' }).first()
  await listLoad(page, () => header.click({ position: { x: 12, y: 12 } }))
  await page.waitForURL(/[?&]sort=latest_revenue(&|$)/)
  const first = (i) => rowsOf(page).nth(i).locator(NAME_TD).first().innerText()
  const order = [await first(0), await first(1), await first(2)].map((s) => s.trim())
  assert(
    JSON.stringify(order) === JSON.stringify(['天津秋实生物医药有限公司', '天津春华光电科技有限公司', '天津光电传感技术有限公司']),
    'ascending revenue: ' + order,
  )
  await page.getByRole('button', { name: '重置' }).click()
  await page.waitForURL((u) => !u.search.includes('sort='))
})

h.test('select two rows, 调整属地: both show the new unit, the third is unchanged', async () => {
  await rowsOf(page).first().waitFor()
  assert((await page.locator('[data-test=batch-bar]').count()) === 0, 'no bar before a selection')
  const rowOf = (name) => rowsOf(page).filter({ hasText: name })
  await rowOf('天津秋实生物医药有限公司').locator('td').first().locator('.el-checkbox').click()
  await rowOf('天津光电传感技术有限公司').locator('td').first().locator('.el-checkbox').click()
  await page.locator('[data-test=batch-bar]').waitFor()
  const bar = await page.locator('[data-test=batch-bar]').innerText()
  assert(bar.includes('已选 2 家') && bar.includes('仅限本页'), 'bar: ' + bar)
  assert(/\/enterprises(\?|$)/.test(page.url()), 'a checkbox click does not open the enterprise: ' + page.url())
  await page.locator('[data-test=batch-unit]').click()
  const dlg = page.locator('.el-dialog', { hasText: '调整属地' })
  await dlg.waitFor()
  await pick(page, dlg.locator('[data-test=batch-unit-select] .el-select'), UNIT_B1)
  await shot(page, 'batch-unit')
  await listLoad(page, () => dlg.locator('[data-test=batch-ok]').click())
  await page.locator('.el-message--success', { hasText: '已调整 2 家企业的属地' }).waitFor()
  assert((await rowOf('天津秋实生物医药有限公司').innerText()).includes(UNIT_B1), 'e2 moved')
  assert((await rowOf('天津光电传感技术有限公司').innerText()).includes(UNIT_B1), 'e3 moved')
  assert(!(await rowOf('天津春华光电科技有限公司').innerText()).includes(UNIT_B1), 'e1 unchanged')
  assert((await page.locator('[data-test=batch-bar]').count()) === 0, 'selection cleared after the action')
  const call = await apiAs('admin', ADMIN_PW)
  assert((await call('GET', '/enterprises/' + ids.e2)).unit_id === ids.unitB1, 'e2 stored in the new unit')
  assert((await call('GET', '/enterprises/' + ids.e3)).unit_id === ids.unitB1, 'e3 stored in the new unit')
})

h.test('导出所选 downloads a CSV with exactly the selected rows', async () => {
  const rowOf = (name) => rowsOf(page).filter({ hasText: name })
  await rowOf('天津春华光电科技有限公司').locator('td').first().locator('.el-checkbox').click()
  await rowOf('天津光电传感技术有限公司').locator('td').first().locator('.el-checkbox').click()
  await page.locator('[data-test=batch-export]').click()
  const dlg = page.locator('.el-dialog', { hasText: '导出所选' })
  await dlg.waitFor()
  await dlg.getByText('CSV', { exact: true }).click()
  const [dl] = await Promise.all([page.waitForEvent('download'), dlg.locator('[data-test=batch-ok]').click()])
  const file = join(TMP, 'ent-selected.csv')
  await dl.saveAs(file)
  const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l)
  assert(lines.length === 3, 'header and two rows: ' + lines.join(' | '))
  const body = lines.slice(1).join('\n')
  assert(body.includes('天津春华光电科技有限公司') && body.includes('天津光电传感技术有限公司'), 'the selected rows: ' + body)
  assert(!body.includes('天津秋实生物医药有限公司'), 'no other row: ' + body)
  await page.locator('.el-message--success', { hasText: '已导出所选 2 家企业' }).waitFor()
})

h.test('admin creates an enterprise: a wrong check character is shown under the field, then fixed', async () => {
  await page.locator('[data-test=ent-create]').click()
  const dlg = page.locator('.el-dialog:visible')
  const good = uscc('91120102MA0E2E009')
  const badCheck = USCC_CHARS[(USCC_CHARS.indexOf(good[17]) + 1) % 31]
  await dlg.locator('input[name=uscc]').fill(good.slice(0, 17) + badCheck)
  await dlg.locator('input[name=name]').fill('天津测试新材料有限公司')
  await dlg.locator('input[name=registered_capital_wan]').fill('500.5')
  await page.locator('[data-test=ent-save]').click()
  const err = dlg.locator('.el-form-item.is-error .el-form-item__error')
  await err.first().waitFor({ timeout: 10000 })
  const t = await err.first().innerText()
  assert(t.includes('第18位') && t.includes(good[17]), 'field error names the position and the check character: ' + t)
  await shot(page, 'create-uscc-error')
  await dlg.locator('input[name=uscc]').fill(good)
  await page.locator('[data-test=ent-save]').click()
  await page.waitForURL(/\/enterprises\/\d+/)
  ids.mine = Number(/\/enterprises\/(\d+)/.exec(page.url())[1])
  await page.locator('[data-test=ent-title]').waitFor()
  assert((await page.locator('[data-test=ent-title]').innerText()) === '天津测试新材料有限公司', 'title')
  const basic = await page.locator('[data-test=ent-basic]').innerText()
  assert(basic.includes('500.5 万元') && basic.includes('自报'), 'capital and provenance: ' + basic)
})

h.test('edit: a rename keeps the former name', async () => {
  await page.locator('[data-test=ent-edit]').click()
  const dlg = page.locator('.el-dialog:visible')
  await dlg.locator('input[name=name]').fill('天津测试先进材料有限公司')
  await page.locator('[data-test=ent-save]').click()
  await dlg.waitFor({ state: 'hidden' })
  await page.locator('[data-test=ent-title]', { hasText: '先进材料' }).waitFor()
  const former = await page.locator('[data-test=former-name]').first().innerText()
  assert(former.includes('天津测试新材料有限公司'), 'former name: ' + former)
})

h.test('yearly figures: add two years in 万元, see the table, provenance and the trend chart', async () => {
  await page.getByRole('tab', { name: '年度数据' }).click()
  await page.waitForURL(/tab=years/)
  const addYear = async (year, sales, rd, staff) => {
    await page.locator('[data-test=year-add]').click()
    const dlg = page.locator('.el-dialog:visible')
    await dlg.locator('input[name=year]').fill(String(year))
    await dlg.locator('input[name=employees]').fill(staff)
    await dlg.locator('input[name=sales_revenue]').fill(sales)
    await dlg.locator('input[name=rd_expense]').fill(rd)
    await page.locator('[data-test=year-save]').click()
    await dlg.waitFor({ state: 'hidden' })
  }
  await addYear(2024, '1000', '40', '30')
  await addYear(2025, '1234.5678', '61.7284', '45')
  const table = page.locator('[data-test=years-table]')
  await table.getByText('1,234.57').waitFor()
  const text = await table.innerText()
  assert(text.includes('2025') && text.includes('2024') && text.includes('用户填报') && text.includes('自报'), 'years with provenance: ' + text.slice(0, 300))
  assert(text.includes('5.00%') && text.includes('4.00%'), 'R&D intensity per year: ' + text)
  await page.locator('[data-test=years-chart] canvas').first().waitFor({ timeout: 15000 })
  // edit 2025: a wrong entry is refused under the field, then a change saves
  await page.locator('[data-test=year-edit-2025]').click()
  const dlg = page.locator('.el-dialog:visible')
  await dlg.locator('input[name=rd_expense]').fill('12.345678')
  await page.locator('[data-test=year-save]').click()
  const err = await dlg.locator('.el-form-item.is-error .el-form-item__error').first().innerText()
  assert(err.includes('4 位小数'), 'money error: ' + err)
  await dlg.locator('input[name=rd_expense]').fill('123.4568')
  await page.locator('[data-test=year-save]').click()
  await dlg.waitFor({ state: 'hidden' })
  await table.getByText('10.00%').waitFor()
  await page.locator('[data-test=years-chart]').scrollIntoViewIfNeeded()
  await page.waitForTimeout(500)
  await shot(page, 'years-chart')
})

h.test('IP rights: register an invention patent (class Ⅰ derived)', async () => {
  await page.getByRole('tab', { name: '知识产权' }).click()
  await page.locator('[data-test=ip-add]').click()
  const dlg = page.locator('.el-dialog:visible')
  await dlg.locator('input[name=number]').fill('ZL202410000001.5')
  await dlg.locator('input[name=title]').fill('一种复合材料的制备方法')
  await page.locator('[data-test=ip-save]').click()
  await dlg.waitFor({ state: 'hidden' })
  const row = page.locator('[data-test=ip-table] .el-table__row', { hasText: 'ZL202410000001.5' })
  await row.waitFor()
  const t = await row.innerText()
  assert(t.includes('发明专利') && t.includes('Ⅰ类') && t.includes('有效'), 'ip row: ' + t)
  await shot(page, 'ip')
})

h.test('IP rights: edit a right in place (title and status)', async () => {
  const row = page.locator('[data-test=ip-table] .el-table__row', { hasText: 'ZL202410000001.5' })
  await row.locator('[data-test=ip-edit]').first().click()
  const dlg = page.locator('.el-dialog:visible')
  await dlg.getByText('编辑知识产权').waitFor()
  const title = dlg.locator('input[name=title]')
  assert((await title.inputValue()) === '一种复合材料的制备方法', 'prefilled title')
  await title.fill('一种改进的复合材料制备方法')
  await page.locator('[data-test=ip-save]').click()
  await dlg.waitFor({ state: 'hidden' })
  await page.locator('[data-test=ip-table]').getByText('一种改进的复合材料制备方法').waitFor()
  const t = await row.innerText()
  assert(t.includes('一种改进的复合材料制备方法') && t.includes('Ⅰ类'), 'edited ip row: ' + t)
})

h.test('facts: register an award with the kind-dependent grade and level', async () => {
  await page.getByRole('tab', { name: '资质与荣誉' }).click()
  await page.locator('[data-test=fact-add]').click()
  const dlg = page.locator('.el-dialog:visible')
  await pick(page, dlg.locator('[data-test=fact-subkind]'), '一等奖')
  await pick(page, dlg.locator('[data-test=fact-level]'), '省部级')
  await dlg.locator('input[name=title]').fill('天津市科学技术进步奖')
  await dlg.locator('input[name=occurred_on]').fill('2025-06-01')
  await dlg.locator('input[name=occurred_on]').press('Enter')
  await page.locator('[data-test=fact-save]').click()
  await dlg.waitFor({ state: 'hidden' })
  const row = page.locator('[data-test=fact-table] .el-table__row', { hasText: '天津市科学技术进步奖' })
  await row.waitFor()
  const t = await row.innerText()
  assert(t.includes('科技奖励') && t.includes('一等奖') && t.includes('省部级'), 'fact row: ' + t)
  await shot(page, 'facts')
})

h.test('变更记录 lists every write, newest first, with a before/after comparison', async () => {
  await page.getByRole('tab', { name: '变更记录' }).click()
  const table = page.locator('[data-test=changes-table]')
  await table.locator('.el-table__row').first().waitFor()
  const rows = (await table.locator('.el-table__row').allInnerTexts()).map((s) => s.replace(/\s+/g, ' '))
  assert(rows.length === 8, 'entries: ' + rows.length + ' ' + rows.join(' | '))
  assert(rows[0].includes('登记资质与荣誉') && rows[7].includes('新建企业'), 'order: ' + rows.join(' | '))
  assert(rows[1].includes('修改知识产权') && rows[1].includes('名称'), 'ip edit entry: ' + rows[1])
  await table.locator('.el-table__row', { hasText: '修改企业信息' }).click()
  const drawer = page.locator('[data-test=change-drawer]')
  const diff = drawer.locator('[data-test=audit-diff]')
  await diff.waitFor()
  const d = await diff.innerText()
  assert(d.includes('天津测试新材料有限公司') && d.includes('天津测试先进材料有限公司'), 'diff: ' + d)
  await page.waitForTimeout(500) // the drawer slides in
  await shot(page, 'changes-diff')
  await page.keyboard.press('Escape')
  await drawer.locator('.el-drawer').waitFor({ state: 'hidden' }).catch(() => {})
})

h.test('retire with a reason: banner shown, write buttons gone', async () => {
  await page.getByRole('tab', { name: '基本信息' }).click()
  await page.locator('[data-test=ent-retire]').click()
  const dlg = page.locator('.el-dialog:visible', { hasText: '注销出库' })
  await dlg.locator('textarea[name=retire_reason]').fill('企业迁出本区')
  await page.locator('[data-test=retire-confirm]').click()
  const banner = page.locator('[data-test=retired-banner]')
  await banner.waitFor()
  assert((await banner.innerText()).includes('企业迁出本区'), 'reason in banner')
  assert((await page.locator('[data-test=ent-edit]').count()) === 0, 'no edit button on a retired enterprise')
  await shot(page, 'retired')
})

h.test('恢复入库 with a reason brings it back; retired again for the tests after', async () => {
  await page.locator('[data-test=ent-restore]').click()
  const dlg = page.locator('.el-dialog:visible', { hasText: '恢复入库' })
  await dlg.locator('textarea[name=retire_reason]').fill('误操作，企业仍在本区')
  await page.locator('[data-test=retire-confirm]').click()
  await page.locator('[data-test=retired-banner]').waitFor({ state: 'detached' })
  await page.locator('[data-test=ent-edit]').waitFor()
  await page.locator('[data-test=ent-retire]').click()
  const dlg2 = page.locator('.el-dialog:visible', { hasText: '注销出库' })
  await dlg2.locator('textarea[name=retire_reason]').fill('企业迁出本区')
  await page.locator('[data-test=retire-confirm]').click()
  await page.locator('[data-test=retired-banner]').waitFor()
})

h.test('a 街道专员 sees only its unit and gets the not-found page for another unit', async () => {
  const { ctx, close } = await launch()
  try {
    const p = ctx.pages()[0] || (await ctx.newPage())
    watch(p, 'agent')
    await login(p, AGENT, PW)
    await p.waitForURL(/\/workbench/)
    await p.goto(URL0 + '/enterprises')
    await rowsOf(p).first().waitFor()
    const names = await listNames(p)
    assert(JSON.stringify(names) === JSON.stringify(['天津春华光电科技有限公司']), 'agent list: ' + names)
    assert((await p.locator('[data-test=ent-create]').count()) === 1, 'the agent may create')
    // 指派包联人员: the agent (no audit permission) picks from its own unit's users
    await rowsOf(p).first().locator('td').first().locator('.el-checkbox').click()
    await p.locator('[data-test=batch-liaison]').click()
    const dlg = p.locator('.el-dialog', { hasText: '指派包联人员' })
    await dlg.waitFor()
    await pick(p, dlg.locator('[data-test=batch-liaison-select]'), `企业库专员（${UNIT_A}）`)
    const opts = await p.locator('.el-select-dropdown__item').allTextContents()
    assert(!opts.some((t) => t.includes('企业库领导')), 'only users of the agent\'s unit: ' + opts)
    await dlg.locator('[data-test=batch-ok]').click()
    await p.locator('.el-message--success').first().waitFor()
    const call = await apiAs('admin', ADMIN_PW)
    assert((await call('GET', '/enterprises/' + ids.e1)).liaison_user_id > 0, 'liaison stored')
    await p.goto(URL0 + '/enterprises/' + ids.e2)
    await p.locator('[data-test=not-found]').waitFor()
    assert((await p.locator('body').innerText()).includes('页面不存在'), 'not-found page')
    assert(!(await p.locator('body').innerText()).includes('秋实生物'), 'nothing of the other enterprise')
    await shot(p, 'agent-not-found')
  } finally {
    await close()
  }
})

h.test('a 领导 reads everything but sees no write buttons', async () => {
  const { ctx, close } = await launch()
  try {
    const p = ctx.pages()[0] || (await ctx.newPage())
    watch(p, 'leader')
    await login(p, LEADER, PW)
    await p.waitForURL(/\/workbench/)
    await p.goto(URL0 + '/enterprises')
    await rowsOf(p).first().waitFor()
    assert((await listNames(p)).length === 3, 'leader sees the three active enterprises')
    assert((await p.locator('[data-test=ent-create]').count()) === 0, 'no 新建企业')
    assert((await p.locator('[data-test=ent-import]').count()) === 0, 'no 导入')
    await rowsOf(p).first().locator('td').first().locator('.el-checkbox').click()
    await p.locator('[data-test=batch-bar]').waitFor()
    assert((await p.locator('[data-test=batch-export]').count()) === 1, '导出所选 for a reader')
    assert((await p.locator('[data-test=batch-unit], [data-test=batch-liaison]').count()) === 0, 'no batch writes for a 领导')
    await p.goto(URL0 + '/enterprises/' + ids.e1)
    await p.locator('[data-test=ent-title]').waitFor()
    assert((await p.locator('[data-test=ent-edit]').count()) === 0, 'no 编辑')
    assert((await p.locator('[data-test=ent-retire]').count()) === 0, 'no 注销出库')
    await p.getByRole('tab', { name: '年度数据' }).click()
    await p.locator('[data-test=years-table]').waitFor()
    assert((await p.locator('[data-test=year-add]').count()) === 0, 'no 新增年度')
    assert((await p.locator('[data-test^=year-edit]').count()) === 0, 'no year 编辑')
    await p.getByRole('tab', { name: '知识产权' }).click()
    await p.locator('[data-test=ip-table]').waitFor()
    assert((await p.locator('[data-test=ip-add]').count()) === 0, 'no 登记知识产权')
    await shot(p, 'leader-detail')
  } finally {
    await close()
  }
})

h.test('no console errors or uncaught exceptions', async () => {
  assert(consoleErrors.length === 0, consoleErrors.join('\n'))
})

const failed = await h.run()
if (admin) await admin.close().catch(() => {})
process.exit(failed ? 1 : 0)
