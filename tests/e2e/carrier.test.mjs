// carrier.test.mjs - the 载体 pages in a real browser against the real
// server (started by tests/scripts/e2e.sh): the carrier list, a carrier's
// page (its record, tenants over the years as a chart, the yearly sheet
// with a typed-in value, a tenant refused by the overlap rule with the
// message next to the field, a move-out, "who may graduate"), and the
// ranking (chart and table, the bottom carrier flagged "有进有出").
// Data are set up through the API in a unit of their own (the database is
// shared with the other test files).
import { writeFileSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { harness, launch, assert, uscc, apiAs, login } from './harness.mjs'

const URL0 = process.env.E2E_URL
const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW
const UNIT = '载体测试街道'
const YEAR = new Date().getFullYear() - 1

const h = harness()
let admin, page
const consoleErrors = []
let shotN = 0
const ids = {}
let allow409 = false

async function shot(p, name) {
  shotN++
  await p.screenshot({ path: join(SHOTS, `c${String(shotN).padStart(2, '0')}-${name}.png`), fullPage: true })
}

function watch(p, who) {
  p.on('console', (m) => {
    if (m.type() !== 'error') return
    const t = m.text()
    if (/Failed to load resource: the server responded with a status of 401/.test(t)) return
    if (allow409 && /Failed to load resource: the server responded with a status of 409/.test(t)) return
    consoleErrors.push(`${who}: ${t}`)
  })
  p.on('pageerror', (e) => consoleErrors.push(`${who}: ${e.message}`))
}

// The text input of a form item: Element Plus puts data-test on the native
// input of an el-input, and on the wrapper of other components.
const input = (root, t) => root.locator(`input[data-test=${t}], [data-test=${t}] input`)

h.test('setup through the API: a unit, three incubators, tenants over the years', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  const units = await call('GET', '/org-units')
  const root = units.items.find((u) => u.parent_id === null).id
  ids.unit = (await call('POST', '/org-units', { name: UNIT, kind: 'subdistrict', parent_id: root })).id
  const mkc = async (name) =>
    (await call('POST', '/carriers', { name, type: 'incubator', level: 'municipal', recognized_on: '2019-05-01', unit_id: ids.unit, operator_name: '载体测试运营机构', area: 6000, incubation_area: 4000 })).id
  ids.c1 = await mkc('载体测试甲孵化器')
  ids.c2 = await mkc('载体测试乙孵化器')
  ids.c3 = await mkc('载体测试丙孵化器')
  const mke = async (n, name) => (await call('POST', '/enterprises', { uscc: uscc(`91120102MA0CAR${String(n).padStart(3, '0')}`), name, unit_id: ids.unit })).id
  ids.e = []
  for (let i = 0; i < 6; i++) ids.e.push(await mke(i + 1, `天津载体测试${i + 1}号科技有限公司`))
  // 甲: two graduates last year, one still in; 乙: one new last year; 丙: none
  await call('POST', `/carriers/${ids.c1}/tenants`, { enterprise_id: ids.e[0], moved_in: `${YEAR - 3}-03-01`, moved_out: `${YEAR}-06-30`, out_reason: 'graduated' })
  await call('POST', `/carriers/${ids.c1}/tenants`, { enterprise_id: ids.e[1], moved_in: `${YEAR - 2}-03-01`, moved_out: `${YEAR}-09-30`, out_reason: 'graduated' })
  await call('POST', `/carriers/${ids.c1}/tenants`, { enterprise_id: ids.e[2], moved_in: `${YEAR - 1}-05-01` })
  await call('POST', `/carriers/${ids.c2}/tenants`, { enterprise_id: ids.e[3], moved_in: `${YEAR}-04-01` })
  // the sheet as the API gives it
  const s = await call('GET', `/carriers/${ids.c1}/sheets/${YEAR}`)
  const v = (c) => s.rows.find((r) => r.code === c).value
  assert(v('graduates') === 2 && v('tenants') === 3 && v('tenants_end') === 1, 'sheet of 甲: ' + JSON.stringify(s.rows.slice(0, 5)))
})

h.test('the 载体 area lists the carriers; a carrier page shows record, chart and yearly sheet', async () => {
  ;({ ctx: admin } = await launch())
  page = admin.pages()[0] || (await admin.newPage())
  watch(page, 'admin')
  await login(page, 'admin', ADMIN_PW)
  const areas = (await page.locator('aside .el-sub-menu__title').allInnerTexts()).map((s) => s.trim())
  assert(areas.includes('载体'), 'areas: ' + areas)
  await page.goto(URL0 + '/carriers?q=' + encodeURIComponent('载体测试'))
  const rows = page.locator('.el-table__body-wrapper .el-table__row')
  await rows.first().waitFor()
  assert((await rows.count()) === 3, 'three test carriers listed')
  assert((await page.locator('[data-test=overlap-rule]').innerText()).includes('众创空间 → 孵化器'), 'the overlap rule is stated')
  await rows.filter({ hasText: '载体测试甲孵化器' }).click()
  await page.waitForURL(new RegExp(`/carriers/${ids.c1}$`))
  await page.locator('[data-test=carrier-info]').waitFor()
  assert((await page.locator('[data-test=carrier-name]').innerText()) === '载体测试甲孵化器', 'name')
  await page.locator('[data-test=carrier-chart] canvas').waitFor()
  const sheet = page.locator('[data-test=sheet-table]')
  await sheet.locator('.el-table__row').first().waitFor()
  const grads = (await sheet.locator('.el-table__row', { hasText: '当年毕业企业数' }).locator('td').allInnerTexts()).map((x) => x.trim())
  assert(grads[2] === '2 家', 'graduates row: ' + grads)
  assert(grads[3].includes('入驻记录'), 'source shown: ' + grads)
  // a typed-in value with its provenance
  await page.locator('[data-test=sheet-typed]').click()
  await input(page, 'typed-events').fill('18')
  await page.locator('[data-test=typed-save]').click()
  const ev = sheet.locator('.el-table__row', { hasText: '举办创新创业活动场次' })
  await ev.filter({ hasText: '18 场' }).waitFor()
  assert((await ev.innerText()).includes('填报'), 'provenance of the typed-in value')
  await page.waitForTimeout(600) // chart animation
  await shot(page, 'carrier-page')
})

h.test('tenants: the overlap rule refuses a second incubator at once, a move-out is recorded, graduation is explained', async () => {
  await page.getByRole('tab', { name: /入驻企业/ }).click()
  const tt = page.locator('[data-test=tenant-table]')
  await tt.locator('.el-table__row').first().waitFor()
  assert((await tt.locator('.el-table__row').count()) === 3, 'three tenancies')
  // enterprise 4 is in 乙 since YEAR-04-01: adding it to 甲 overlaps
  await page.goto(URL0 + `/carriers/${ids.c1}`)
  await page.getByRole('tab', { name: /入驻企业/ }).click()
  await page.locator('[data-test=tenant-add]').click()
  const dlg = page.locator('[data-test=tenant-dialog]')
  await dlg.locator('[data-test=ent-picker]').click()
  await page.keyboard.type('载体测试4号')
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '天津载体测试4号科技有限公司' }).click()
  await input(dlg, 'moved-in').fill(`${YEAR}-08-01`)
  allow409 = true
  await dlg.locator('[data-test=tenant-save]').click()
  await dlg.locator('.el-form-item__error').filter({ hasText: '载体测试乙孵化器' }).waitFor()
  allow409 = false
  await shot(page, 'overlap-refused')
  await dlg.getByRole('button', { name: '取消' }).click()
  // who may graduate: the rule set, one verdict per tenant in the carrier
  // today (enterprise 3, no figures: 缺数据), explained row by row
  await page.getByRole('tab', { name: '毕业评价' }).click()
  await page.locator('[data-test=grad-run]').click()
  const gl = page.locator('[data-test=grad-list]')
  await gl.filter({ hasText: '天津载体测试3号科技有限公司' }).waitFor()
  assert((await gl.innerText()).includes('缺数据'), 'verdict: ' + (await gl.innerText()))
  await gl.locator('.el-collapse-item__header').first().click()
  await gl.getByText('连续2年营业收入累计超过1000万元').first().waitFor()
  await shot(page, 'graduation')
  await page.getByRole('tab', { name: /入驻企业/ }).click()
  // move enterprise 3 out (graduated) this year
  const row3 = tt.locator('.el-table__row', { hasText: '天津载体测试3号科技有限公司' })
  await row3.getByRole('button', { name: /迁出/ }).click()
  await input(dlg, 'moved-out').fill(`${YEAR + 1}-01-15`)
  await dlg.locator('[data-test=out-reason]').click()
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: /^毕业$/ }).click()
  await dlg.locator('[data-test=tenant-save]').click()
  await row3.filter({ hasText: `${YEAR + 1}-01-15` }).waitFor()
})

h.test('import from the list: a bad row is reported by row and column, nothing written; then written', async () => {
  const f = join(SHOTS, 'carrier-import.csv')
  const f2 = join(SHOTS, 'carrier-import-fixed.csv')
  writeFileSync(f, `载体名称,类型,运营机构,所属单位\r\n载体测试导入众创空间,众创空间,某机构,${UNIT}\r\n载体测试导入城堡,城堡,某机构,${UNIT}\r\n`)
  try {
    await page.goto(URL0 + '/carriers?q=' + encodeURIComponent('载体测试导入'))
    await page.locator('[data-test=carrier-import-open]').click()
    const dlg = page.locator('[data-test=carrier-import]')
    await dlg.locator('[data-test=import-file]').setInputFiles(f)
    await dlg.getByRole('button', { name: '校验' }).click()
    const errs = dlg.locator('[data-test=import-errors] .el-table__row')
    await errs.first().waitFor()
    const cells = (await errs.first().locator('td').allInnerTexts()).map((x) => x.trim())
    assert(cells[0] === '3' && cells[1] === '类型', 'error row 3, column 类型: ' + cells)
    await shot(page, 'import-errors')
    writeFileSync(f2, `载体名称,类型,运营机构,所属单位\r\n载体测试导入众创空间,众创空间,某机构,${UNIT}\r\n`)
    await dlg.locator('[data-test=import-file]').setInputFiles(f2)
    await dlg.getByRole('button', { name: '校验' }).click()
    await dlg.getByText('校验通过').waitFor()
    await dlg.getByRole('button', { name: '导入' }).click()
    await page.locator('.el-table__body-wrapper .el-table__row', { hasText: '载体测试导入众创空间' }).waitFor()
  } finally {
    for (const x of [f, f2]) {
      try {
        unlinkSync(x)
      } catch {
        /* not written */
      }
    }
  }
})

h.test('ranking: chart and table, the bottom carrier flagged 有进有出', async () => {
  await page.goto(URL0 + '/carrier-ranking')
  await page.locator('[data-test=rank-table] .el-table__row').first().waitFor()
  await page.locator('[data-test=rank-chart] canvas').waitFor()
  assert((await page.locator('[data-test=rank-scheme-name]').innerText()).includes('有进有出'), 'scheme explained')
  const rows = page.locator('[data-test=rank-table] .el-table__row')
  const n = await rows.count()
  assert(n >= 3, 'carriers ranked: ' + n)
  const texts = await rows.allInnerTexts()
  const ia = texts.findIndex((t) => t.includes('载体测试甲孵化器'))
  const ib = texts.findIndex((t) => t.includes('载体测试乙孵化器'))
  assert(ia >= 0 && ib >= 0 && ia < ib, '甲 ranks above 乙: ' + texts.join(' | '))
  assert(texts[n - 1].includes('末位'), 'the last one is flagged: ' + texts[n - 1])
  await page.waitForTimeout(600)
  await shot(page, 'ranking')
})

h.test('cleanup: the test carriers, enterprises and street are retired (the database is shared)', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  const cs = await call('GET', '/carriers?q=' + encodeURIComponent('载体测试') + '&page_size=100')
  for (const c of cs.items) await call('PATCH', `/carriers/${c.id}`, { retire_reason: '浏览器测试数据' })
  for (const id of ids.e) await call('PATCH', `/enterprises/${id}`, { retired: true, retire_reason: '浏览器测试数据' })
  await call('PATCH', `/org-units/${ids.unit}`, { retired: true, retire_reason: '浏览器测试数据' })
  const left = await call('GET', '/enterprises?q=' + encodeURIComponent('载体测试'))
  assert(left.total === 0, 'no active test enterprise left: ' + left.total)
})

h.test('no console errors or uncaught exceptions', async () => {
  assert(consoleErrors.length === 0, consoleErrors.join('\n'))
})

const failed = await h.run()
if (admin) await admin.close().catch(() => {})
process.exit(failed ? 1 : 0)
