// ent_import.test.mjs - the enterprise import from 企业名录 in a real
// browser: download the template, upload a small CSV with one bad row, see
// the per-row report with the new/update split, download the error report
// (the bad rows with 错误说明), import the valid rows and find the new
// enterprise in the list; a new enterprise with a blank 所属单位 while the
// district has streets is a warning that must be confirmed before the
// import. The imported enterprises and the street are retired at the end
// so that the other browser tests see only their own data.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { harness, launch, assert } from './harness.mjs'

const URL0 = process.env.E2E_URL
const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW
const TMP = process.env.E2E_TMP || '/tmp'
const NAME = '天津导入验证科技有限公司'
const NAME2 = '天津导入空单位科技有限公司'
const UNIT = '导入测试街道'

const h = harness()
let ctx, close, page
const consoleErrors = []
let shotN = 0

async function shot(p, name) {
  shotN++
  await p.screenshot({ path: join(SHOTS, `i${String(shotN).padStart(2, '0')}-${name}.png`) })
}

function watch(p) {
  p.on('console', (m) => {
    if (m.type() !== 'error') return
    const t = m.text()
    if (/Failed to load resource: the server responded with a status of 401/.test(t)) return
    consoleErrors.push(t)
  })
  p.on('pageerror', (e) => consoleErrors.push(e.message))
}

// A valid 统一社会信用代码 from 17 characters (GB 32100 check character).
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
function checkChar(body17) {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(body17[i]) * USCC_W[i]
  return USCC_CHARS[(31 - (sum % 31)) % 31]
}

const rows = () => page.locator('.dt .el-table__body-wrapper .el-table__row')

h.test('the 导入 menu opens the dialog, the CSV template downloads with the export columns', async () => {
  ;({ ctx, close } = await launch())
  page = ctx.pages()[0] || (await ctx.newPage())
  watch(page)
  await page.goto(URL0 + '/login')
  await page.locator('input[name=username]').fill('admin')
  await page.locator('input[name=password]').fill(ADMIN_PW)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL(/\/workbench/)
  await page.goto(URL0 + '/enterprises')
  await page.locator('[data-test=ent-import]').click()
  await page.locator('.el-dropdown-menu:visible').getByText('导入企业', { exact: true }).click()
  const dlg = page.locator('.el-dialog:visible', { hasText: '导入企业' })
  await dlg.waitFor()
  const [dl] = await Promise.all([page.waitForEvent('download'), dlg.getByRole('button', { name: '下载 CSV 模板' }).click()])
  const file = join(TMP, 'template.csv')
  await dl.saveAs(file)
  const head = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0]
  assert(head.startsWith('统一社会信用代码,企业名称,所属单位'), 'template header: ' + head)
})

h.test('a CSV with one bad row: the report names row, column and the expected check character', async () => {
  const units = await page.evaluate(async () => (await (await fetch('/api/v1/org-units')).json()).items)
  const root = units.find((u) => u.parent_id === null).name
  const good = '91120102MA0E2K001'
  const bad = '91120102MA0E2K002'
  const badCheck = USCC_CHARS[(USCC_CHARS.indexOf(checkChar(bad)) + 1) % 31]
  const csv =
    '\uFEFF统一社会信用代码,企业名称,所属单位\r\n' +
    `${good}${checkChar(good)},${NAME},${root}\r\n` +
    `${bad}${badCheck},天津导入坏行有限公司,${root}\r\n`
  const file = join(TMP, 'ent-import.csv')
  writeFileSync(file, csv)
  const dlg = page.locator('.el-dialog:visible', { hasText: '导入企业' })
  await dlg.locator('input[type=file]').setInputFiles(file)
  await dlg.getByRole('button', { name: '上传并校验' }).click()
  const report = dlg.locator('.el-table__row', { hasText: '统一社会信用代码' })
  await report.first().waitFor({ timeout: 30000 })
  const t = (await report.first().innerText()).replace(/\s+/g, ' ')
  assert(t.includes('3') && t.includes(`校验码应为 ${checkChar(bad)}`), 'report row: ' + t)
  const sum = await dlg.locator('.el-descriptions').innerText()
  assert(/有效\s*1/.test(sum) && /有错误\s*1/.test(sum), 'summary: ' + sum)
  const split = await dlg.locator('[data-test=import-split]').innerText()
  assert(split.includes('新增 1 行、更新 0 行'), 'split: ' + split)
  assert((await dlg.locator('[data-test=import-warning]').count()) === 0, 'no warning with 所属单位 filled')
  await page.waitForTimeout(300)
  await shot(page, 'report')
  // 下载错误报告: an XLSX; the same rows as CSV name the column in 错误说明
  const [dl] = await Promise.all([page.waitForEvent('download'), dlg.locator('[data-test=import-error-rows]').click()])
  assert(dl.suggestedFilename().endsWith('.xlsx'), 'file name: ' + dl.suggestedFilename())
  const xf = join(TMP, 'error-rows.xlsx')
  await dl.saveAs(xf)
  assert(readFileSync(xf).subarray(0, 4).toString('latin1') === 'PK\x03\x04', 'an XLSX file')
  const id = await page.evaluate(async () => (await (await fetch('/api/v1/imports')).json()).items[0].id)
  const text = await page.evaluate(async (i) => await (await fetch(`/api/v1/imports/${i}/error-rows?format=csv`)).text(), id)
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  assert(lines[0] === '统一社会信用代码,企业名称,所属单位,错误说明', 'header: ' + lines[0])
  assert(lines.length === 3 && lines[1].includes('天津导入坏行有限公司') && lines[1].includes(`「统一社会信用代码」：`) && lines[1].includes(`校验码应为 ${checkChar('91120102MA0E2K002')}`), 'error rows: ' + text)
})

h.test('only the valid rows are imported and the enterprise appears in the list', async () => {
  const dlg = page.locator('.el-dialog:visible', { hasText: '导入企业' })
  await dlg.getByText('只导入有效的 1 行').click()
  await dlg.getByRole('button', { name: '导入', exact: true }).click()
  await dlg.getByText('导入完成').waitFor({ timeout: 30000 })
  assert((await dlg.innerText()).includes('新增 1 条'), 'result: ' + (await dlg.innerText()))
  await shot(page, 'done')
  await dlg.getByRole('button', { name: '关闭', exact: true }).click()
  await page.locator('input[name=q]').fill('导入验证')
  await page.getByRole('button', { name: '查询' }).click()
  await page.waitForURL(/q=/)
  await rows().filter({ hasText: NAME }).waitFor()
  assert((await rows().count()) === 1, 'one match')
  assert((await page.locator('.dt').innerText()).includes('坏行') === false, 'the bad row was not imported')
})

// POST/PATCH through the page's session.
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

h.test('a blank 所属单位 on a new enterprise while the district has streets: warning, confirm, import', async () => {
  const units = await page.evaluate(async () => (await (await fetch('/api/v1/org-units')).json()).items)
  const root = units.find((u) => u.parent_id === null)
  const r = await call('POST', '/org-units', { name: UNIT, kind: 'subdistrict', parent_id: root.id })
  assert(r.status === 201 || r.status === 200, 'street: ' + r.status)
  const u2 = '91120102MA0E2K003'
  const u1 = '91120102MA0E2K001'
  // the enterprise imported above, unchanged (blank 所属单位 keeps its
  // unit: no warning for it), and a new one without 所属单位
  const csv =
    '\uFEFF统一社会信用代码,企业名称,所属单位\r\n' +
    `${u1}${checkChar(u1)},${NAME},\r\n` +
    `${u2}${checkChar(u2)},${NAME2},\r\n`
  const file = join(TMP, 'ent-import-blank.csv')
  writeFileSync(file, csv)
  await page.locator('[data-test=ent-import]').click()
  await page.locator('.el-dropdown-menu:visible').getByText('导入企业', { exact: true }).click()
  const dlg = page.locator('.el-dialog:visible', { hasText: '导入企业' })
  await dlg.locator('input[type=file]').setInputFiles(file)
  await dlg.getByRole('button', { name: '上传并校验' }).click()
  const warn = dlg.locator('[data-test=import-warning]')
  await warn.waitFor({ timeout: 30000 })
  const wt = await warn.innerText()
  assert(wt.includes(`1 家新企业的所属单位为空，将登记在“${root.name}”（区级），各街道看不到`), 'warning: ' + wt)
  const split = await dlg.locator('[data-test=import-split]').innerText()
  assert(split.includes('新增 1 行、更新 0 行') && split.includes('1 行与库中相同'), 'split: ' + split)
  const btn = dlg.getByRole('button', { name: '导入', exact: true })
  assert(await btn.isDisabled(), 'import disabled until confirmed')
  await shot(page, 'blank-unit')
  await dlg.locator('[data-test=confirm-blank-unit]').click()
  assert(!(await btn.isDisabled()), 'import enabled once confirmed')
  await btn.click()
  await dlg.getByText('导入完成').waitFor({ timeout: 30000 })
  assert((await dlg.innerText()).includes('新增 1 条'), 'result: ' + (await dlg.innerText()))
  await dlg.getByRole('button', { name: '关闭', exact: true }).click()
  const l = await page.evaluate(async (n) => (await (await fetch('/api/v1/enterprises?q=' + encodeURIComponent(n))).json()).items, NAME2)
  assert(l.length === 1 && l[0].unit_id === root.id, 'filed under the district: ' + JSON.stringify(l))
})

h.test('cleanup: the imported enterprises and the street are retired', async () => {
  for (const name of [NAME, NAME2]) {
    const l = await page.evaluate(async (n) => (await (await fetch('/api/v1/enterprises?q=' + encodeURIComponent(n))).json()).items, name)
    const r = await call('PATCH', '/enterprises/' + l[0].id, { retired: true, retire_reason: '浏览器测试数据' })
    assert(r.status === 200, 'retire: ' + r.status)
  }
  const units = await page.evaluate(async () => (await (await fetch('/api/v1/org-units')).json()).items)
  const u = units.find((x) => x.name === UNIT)
  const r = await call('PATCH', '/org-units/' + u.id, { retired: true, retire_reason: '浏览器测试数据' })
  assert(r.status === 200, 'retire street: ' + r.status + ' ' + JSON.stringify(r.json))
})

h.test('no console errors or uncaught exceptions', async () => {
  assert(consoleErrors.length === 0, consoleErrors.join('\n'))
})

const failed = await h.run()
if (close) await close()
process.exit(failed ? 1 : 0)
