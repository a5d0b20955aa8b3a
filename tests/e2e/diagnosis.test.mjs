// diagnosis.test.mjs - the 诊断书 in a real browser against the real server
// (started by tests/scripts/e2e.sh): from the enterprise page (button 诊断书)
// the print page shows the four sections (ladder with verdicts and the
// engine's gaps, qualifications with expiries, open tasks, policies); from
// the list's selection bar (导出诊断书) one sheet per enterprise; in print
// media the tools are hidden and each enterprise starts a new page.
// Data are set up through the API in a unit of its own (the database is
// shared with the other test files).
import { join } from 'node:path'
import { harness, launch, assert, uscc, apiAs, login } from './harness.mjs'

const URL0 = process.env.E2E_URL
const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW
const UNIT = '诊断书甲街道'

const h = harness()
let admin, page
const consoleErrors = []
let shotN = 0
const ids = {}

async function shot(p, name) {
  shotN++
  await p.screenshot({ path: join(SHOTS, `dg${String(shotN).padStart(2, '0')}-${name}.png`), fullPage: true })
}

// 400 answers are expected while the form sends a bad number on purpose.
let allow400 = false
function watch(p, who) {
  p.on('console', (m) => {
    if (m.type() !== 'error') return
    const t = m.text()
    if (/Failed to load resource: the server responded with a status of 401/.test(t)) return
    if (allow400 && /Failed to load resource: the server responded with a status of 400/.test(t)) return
    consoleErrors.push(`${who}: ${t}`)
  })
  p.on('pageerror', (e) => consoleErrors.push(`${who}: ${e.message}`))
}

function iso(d) {
  const z = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${z(d.getMonth() + 1)}-${z(d.getDate())}`
}

h.test('setup through the API: a unit, two enterprises, one with a 高企 certificate', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  const units = await call('GET', '/org-units')
  const root = units.items.find((u) => u.parent_id === null).id
  ids.unit = (await call('POST', '/org-units', { name: UNIT, kind: 'subdistrict', parent_id: root })).id
  ids.e1 = (await call('POST', '/enterprises', { uscc: uscc('91120102MA0DGA001'), name: '天津诊断示范科技有限公司', unit_id: ids.unit })).id
  ids.e2 = (await call('POST', '/enterprises', { uscc: uscc('91120102MA0DGA002'), name: '天津诊断第二材料有限公司', unit_id: ids.unit })).id
  const issued = new Date()
  issued.setFullYear(issued.getFullYear() - 1)
  await call('POST', `/enterprises/${ids.e1}/qualifications`, { kind: 'hnte', cert_no: 'GR202512099001', issued_on: iso(issued) })
})

h.test('enterprise page -> 诊断书: the four sections', async () => {
  ;({ ctx: admin } = await launch())
  page = admin.pages()[0] || (await admin.newPage())
  watch(page, 'admin')
  await login(page, 'admin', ADMIN_PW)
  await page.goto(URL0 + `/enterprises/${ids.e1}`)
  await page.locator('[data-test=ent-diagnosis]').click()
  await page.waitForURL(/\/enterprises\/diagnosis\?ids=/)
  const sheet = page.locator('[data-test=diag-sheet]')
  await sheet.first().waitFor()
  assert((await sheet.count()) === 1, 'one enterprise: ' + (await sheet.count()))
  assert((await page.locator('[data-test=diag-name]').innerText()) === '天津诊断示范科技有限公司', 'name')
  const tiers = await page.locator('[data-test=diag-tiers]').innerText()
  assert(tiers.includes('高新技术企业') && tiers.includes('科技型中小企业'), 'ladder tiers: ' + tiers)
  assert(/未达标|达标|缺数据|待人工确认|待专家评审/.test(tiers), 'verdicts: ' + tiers)
  const quals = await page.locator('[data-test=diag-quals]').innerText()
  assert(quals.includes('GR202512099001') && quals.includes('天'), 'certificate with days left: ' + quals)
  await page.locator('[data-test=diag-tasks]').waitFor()
  await page.locator('[data-test=diag-policies]').waitFor()
  await shot(page, 'one')
  // print media: the tools and the shell are hidden, the sheet is shown
  await page.emulateMedia({ media: 'print' })
  assert(!(await page.locator('.diag-tools').isVisible()), 'tools hidden in print')
  assert(!(await page.locator('.el-aside').first().isVisible().catch(() => false)), 'menu hidden in print')
  assert(await sheet.first().isVisible(), 'sheet printed')
  await page.emulateMedia({ media: 'screen' })
})

h.test('list selection -> 导出诊断书: one sheet per enterprise, each a page in print', async () => {
  await page.goto(URL0 + '/enterprises?q=' + encodeURIComponent('天津诊断'))
  const rows = page.locator('.dt .el-table__body-wrapper .el-table__row')
  await rows.filter({ hasText: '天津诊断第二材料有限公司' }).waitFor()
  for (const n of ['天津诊断示范科技有限公司', '天津诊断第二材料有限公司']) {
    await rows.filter({ hasText: n }).locator('td').first().locator('.el-checkbox').click()
  }
  await page.locator('[data-test=batch-diagnosis]').click()
  await page.waitForURL(/\/enterprises\/diagnosis\?ids=/)
  const sheet = page.locator('[data-test=diag-sheet]')
  await sheet.nth(1).waitFor()
  assert((await sheet.count()) === 2, 'two enterprises: ' + (await sheet.count()))
  const breakAfter = await sheet.first().evaluate(() => {
    const probe = document.querySelector('[data-test=diag-sheet]')
    return getComputedStyle(probe).breakAfter || getComputedStyle(probe).pageBreakAfter
  })
  await page.emulateMedia({ media: 'print' })
  const printed = await sheet.first().evaluate((el) => getComputedStyle(el).breakAfter || getComputedStyle(el).pageBreakAfter)
  await page.emulateMedia({ media: 'screen' })
  assert(printed === 'page' || printed === 'always', 'page break after each enterprise in print: ' + printed + ' (screen ' + breakAfter + ')')
  // the XLSX of the same selection
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=diag-xlsx]').click()])
  assert(/\.xlsx$/.test(dl.suggestedFilename()), 'xlsx file: ' + dl.suggestedFilename())
  await shot(page, 'selection')
})

h.test('cleanup: the test enterprises and street are retired (the database is shared)', async () => {
  const call = await apiAs('admin', ADMIN_PW)
  for (const id of [ids.e1, ids.e2]) await call('PATCH', `/enterprises/${id}`, { retired: true, retire_reason: '浏览器测试数据' })
  await call('PATCH', `/org-units/${ids.unit}`, { retired: true, retire_reason: '浏览器测试数据' })
  const left = await call('GET', '/enterprises?q=' + encodeURIComponent('天津诊断'))
  assert(left.total === 0, 'no active test enterprise left: ' + left.total)
})

h.test('no console errors or uncaught exceptions', async () => {
  assert(consoleErrors.length === 0, consoleErrors.join('\n'))
})

const failed = await h.run()
if (admin) await admin.close().catch(() => {})
process.exit(failed ? 1 : 0)
