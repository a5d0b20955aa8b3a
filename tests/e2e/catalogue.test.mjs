// catalogue.test.mjs - the 行业目录 page (企业库 → 行业目录) in a real
// browser against the real server (started by tests/scripts/e2e.sh): the
// CSV template downloads; a file with a bad row is refused with row, column
// and the zh-CN message and writes nothing; a good file is checked, then
// imported, and the report counts the new entries; the filters (类别, code
// prefix) narrow the table; each entry shows how many enterprises it
// matches and the number opens the enterprise list filtered by that code;
// the export has the filtered entries in the template's columns; 删除
// needs a reason and removes the entry (audited). Everything it makes is
// removed at the end (the database is shared with the other test files).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { harness, launch, assert, uscc, apiAs, login } from './harness.mjs'

const URL0 = process.env.E2E_URL
const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW
const TMP = process.env.E2E_TMP || '/tmp'
const UNIT = '行业目录测试街道'

const h = harness()
let admin, page, call
const consoleErrors = []
let shotN = 0
const ids = {}

async function shot(p, name) {
  shotN++
  await p.screenshot({ path: join(SHOTS, `cat${String(shotN).padStart(2, '0')}-${name}.png`), fullPage: true })
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

const rows = () => page.locator('.dt .el-table__body-wrapper .el-table__row')
async function rowTexts() {
  await page.locator('.dt .el-loading-mask').waitFor({ state: 'hidden' }).catch(() => {})
  return (await rows().allInnerTexts()).map((s) => s.replace(/\s+/g, ' '))
}
async function waitRows(pred, what) {
  for (let i = 0; i < 50; i++) {
    const t = await rowTexts()
    if (pred(t)) return t
    await page.waitForTimeout(100)
  }
  throw new Error(what + ': ' + JSON.stringify(await rowTexts()))
}

h.test('setup through the API: a street and two enterprises in 大类 06', async () => {
  call = await apiAs('admin', ADMIN_PW)
  const units = await call('GET', '/org-units')
  const root = units.items.find((u) => u.parent_id === null).id
  ids.unit = (await call('POST', '/org-units', { name: UNIT, kind: 'subdistrict', parent_id: root })).id
  ids.e1 = (await call('POST', '/enterprises', { uscc: uscc('91120102MA0CTG001'), name: '天津目录测试煤业有限公司', unit_id: ids.unit, industry_code: 'B0610' })).id
  ids.e2 = (await call('POST', '/enterprises', { uscc: uscc('91120102MA0CTG002'), name: '天津目录测试洗选有限公司', unit_id: ids.unit, industry_code: 'B0620' })).id
})

h.test('企业库 → 行业目录: the CSV template downloads; a bad file is refused by row and column, nothing written', async () => {
  ;({ ctx: admin } = await launch())
  page = admin.pages()[0] || (await admin.newPage())
  watch(page)
  await login(page, 'admin', ADMIN_PW)
  await page.locator('aside .el-menu-item', { hasText: '行业目录' }).click()
  await page.waitForURL(/\/industry-catalogue/)
  await page.locator('h1', { hasText: '行业目录' }).waitFor()
  await page.locator('[data-test=cat-import]').click()
  const dlg = page.locator('[data-test=cat-import-dialog]')
  await dlg.waitFor()
  const [dl] = await Promise.all([page.waitForEvent('download'), dlg.getByRole('button', { name: '下载 CSV 模板' }).click()])
  const tf = join(TMP, 'cat-template.csv')
  await dl.saveAs(tf)
  const head = readFileSync(tf, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0]
  assert(head === '行业代码,类别,目录条目,来源文件,文号,代码对应未核实,备注', 'template header: ' + head)
  const bad = join(TMP, 'cat-bad.csv')
  writeFileSync(bad, '\uFEFF行业代码,类别,目录条目,来源文件\r\nB06,限制类,测试条目甲,测试目录\r\nB0610,中等类,测试条目乙,测试目录\r\n')
  await dlg.locator('[data-test=cat-import-file]').setInputFiles(bad)
  await dlg.locator('[data-test=cat-import-check]').click()
  const err = dlg.locator('[data-test=cat-import-errors] .el-table__row')
  await err.first().waitFor()
  const t = (await err.first().innerText()).replace(/\s+/g, ' ')
  assert(t.includes('3') && t.includes('类别') && t.includes('“中等类”不是可选的值'), 'error row: ' + t)
  assert((await dlg.locator('[data-test=cat-import-report]').innerText()).includes('错误 1 处，未写入'), 'report says nothing written')
  assert(await dlg.locator('[data-test=cat-import-run]').isDisabled(), '导入 stays disabled after a failed check')
  await shot(page, 'import-errors')
  assert((await call('GET', '/industry-catalogue?code=B')).total === 0, 'nothing written')
})

h.test('a good file: 校验 then 导入, the report counts the new entries and the table lists them', async () => {
  const dlg = page.locator('[data-test=cat-import-dialog]')
  const good = join(TMP, 'cat-good.csv')
  writeFileSync(
    good,
    '\uFEFF行业代码,类别,目录条目,来源文件,文号,代码对应未核实\r\n' +
      'B06,限制类,测试条目甲（浏览器测试）,测试目录,测试文号,是\r\n' +
      'B0610,淘汰类,测试条目乙（浏览器测试）,测试目录,,否\r\n' +
      'B07,禁止类,测试条目丙（浏览器测试）,测试清单,,是\r\n',
  )
  await dlg.locator('[data-test=cat-import-file]').setInputFiles(good)
  await dlg.locator('[data-test=cat-import-check]').click()
  const rep = dlg.locator('[data-test=cat-import-report]')
  await rep.filter({ hasText: '校验通过' }).waitFor()
  assert((await rep.innerText()).includes('将新增 3 条'), 'dry run: ' + (await rep.innerText()))
  assert((await call('GET', '/industry-catalogue?code=B')).total === 0, 'the check writes nothing')
  await dlg.locator('[data-test=cat-import-run]').click()
  await rep.filter({ hasText: '已新增 3 条' }).waitFor()
  await shot(page, 'import-done')
  await dlg.getByRole('button', { name: '关闭', exact: true }).click()
  await dlg.waitFor({ state: 'hidden' })
  const t = await waitRows((r) => r.length >= 3 && r.some((x) => x.includes('B0610')), 'three entries listed')
  const b06 = t.find((x) => x.startsWith('B06 '))
  assert(b06 && b06.includes('限制类') && b06.includes('测试文号'), 'B06 row: ' + b06)
})

h.test('filters: 类别 and code prefix; the match count opens the enterprise list filtered by the code', async () => {
  await page.locator('input[name=code]').fill('B06')
  await page.getByRole('button', { name: '查询' }).click()
  await page.waitForURL(/code=B06/)
  let t = await waitRows((r) => r.length === 2, 'code B06: two entries')
  assert(t.every((x) => x.startsWith('B06')), 'prefix filter: ' + JSON.stringify(t))
  // B06 matches both enterprises, B0610 one
  const n06 = (await rows().filter({ hasText: '测试条目甲' }).locator('td').nth(6).innerText()).trim()
  const n0610 = (await rows().filter({ hasText: '测试条目乙' }).locator('td').nth(6).innerText()).trim()
  assert(n06 === '2' && n0610 === '1', `match counts ${n06}, ${n0610}`)
  await page.locator('[data-test=cat-f-class]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '淘汰类' }).click()
  await page.getByRole('button', { name: '查询' }).click()
  t = await waitRows((r) => r.length === 1, 'class 淘汰类: one entry')
  assert(t[0].includes('B0610') && t[0].includes('淘汰类'), 'class filter: ' + t[0])
  await shot(page, 'filtered')
  // the export has the filtered entries in the template's columns
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-csv]').click()])
  const ef = join(TMP, 'cat-export.csv')
  await dl.saveAs(ef)
  const lines = readFileSync(ef, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l)
  assert(lines.length === 2 && lines[0].startsWith('行业代码,类别,目录条目') && lines[1].startsWith('B0610,淘汰类,测试条目乙（浏览器测试）,测试目录,,否'), 'export: ' + JSON.stringify(lines))
  // back to B06 only, then open its two enterprises
  await page.getByRole('button', { name: '重置' }).click()
  await page.locator('input[name=code]').fill('B06')
  await page.getByRole('button', { name: '查询' }).click()
  await waitRows((r) => r.length === 2, 'code B06 again')
  const link = rows().filter({ hasText: '测试条目甲' }).getByRole('button', { name: '2' })
  await link.click()
  await page.waitForURL(/\/enterprises\?industry=B06/)
  const ents = await waitRows((r) => r.length === 2, 'two enterprises in the list')
  assert(ents.some((x) => x.includes('天津目录测试煤业有限公司')) && ents.some((x) => x.includes('天津目录测试洗选有限公司')), 'enterprise list: ' + JSON.stringify(ents))
  await shot(page, 'enterprises')
})

h.test('删除 needs a reason; the entry is gone and the delete is audited', async () => {
  await page.goto(URL0 + '/industry-catalogue?code=B06')
  await waitRows((r) => r.length === 2, 'code B06 entries')
  const entry = (await call('GET', '/industry-catalogue?code=B0610')).items[0]
  await page.locator(`[data-test=cat-del-${entry.id}]`).click()
  const dlg = page.locator('[data-test=cat-del-dialog]')
  await dlg.waitFor()
  assert((await dlg.innerText()).includes('当前匹配 1 家企业'), 'dialog names the matches: ' + (await dlg.innerText()))
  await dlg.locator('[data-test=cat-del-confirm]').click()
  const err = dlg.locator('.el-form-item__error')
  await err.waitFor()
  assert((await err.innerText()).includes('请填写删除原因'), 'reason required: ' + (await err.innerText()))
  await dlg.locator('input[data-test=cat-del-reason]').fill('浏览器测试：录入错误')
  await shot(page, 'delete-dialog')
  await dlg.locator('[data-test=cat-del-confirm]').click()
  await dlg.waitFor({ state: 'hidden' })
  const t = await waitRows((r) => r.length === 1, 'one entry left under B06')
  assert(t[0].includes('测试条目甲'), 'left: ' + t[0])
  const audit = await call('GET', '/audit?action=catalogue.delete')
  const a = (audit.items || []).find((x) => x.object_id === entry.id)
  assert(a, 'audit entry for the delete: ' + JSON.stringify(audit.items))
})

h.test('cleanup: the entries are deleted, the enterprises and the street retired', async () => {
  for (const e of (await call('GET', '/industry-catalogue?code=B&page_size=100')).items) {
    await call('DELETE', `/industry-catalogue/${e.id}?reason=${encodeURIComponent('浏览器测试数据')}`)
  }
  assert((await call('GET', '/industry-catalogue?code=B')).total === 0, 'entries removed')
  for (const id of [ids.e1, ids.e2]) await call('PATCH', `/enterprises/${id}`, { retired: true, retire_reason: '浏览器测试数据' })
  await call('PATCH', `/org-units/${ids.unit}`, { retired: true, retire_reason: '浏览器测试数据' })
})

h.test('no console errors or uncaught exceptions', async () => {
  assert(consoleErrors.length === 0, consoleErrors.join('\n'))
})

const failed = await h.run()
if (admin) await admin.close().catch(() => {})
process.exit(failed ? 1 : 0)
