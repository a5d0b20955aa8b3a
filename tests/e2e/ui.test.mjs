// ui.test.mjs - the main path of the web UI's shell and system pages in a
// real browser against the real server (started by tests/scripts/e2e.sh).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { harness, launch, assert } from './harness.mjs'

const URL0 = process.env.E2E_URL
const SHOTS = process.env.E2E_SHOTS
const ADMIN_PW = process.env.E2E_ADMIN_PW
const UNIT = '滨海街道'
const AGENT = 'jd01'
const AGENT_PW1 = 'Street2026a'
const AGENT_PW2 = 'Street2026b'

const h = harness()
let admin, agent, page, page2
let shotN = 0
const consoleErrors = []

async function shot(p, name) {
  shotN++
  await p.screenshot({ path: join(SHOTS, `${String(shotN).padStart(2, '0')}-${name}.png`) })
}

// Console errors and uncaught exceptions of a page. Chromium reports every
// HTTP error answer of fetch() as "Failed to load resource"; the answers
// the tests provoke on purpose (401 before login and for a wrong password,
// 400 for a retirement without a reason, 409 for a user name that is taken,
// 429 when throttled) are expected and not counted.
function watch(p, who) {
  p.on('console', (m) => {
    if (m.type() !== 'error') return
    const t = m.text()
    if (/Failed to load resource: the server responded with a status of (400|401|409|429)/.test(t)) return
    consoleErrors.push(`${who}: ${t}`)
  })
  p.on('pageerror', (e) => consoleErrors.push(`${who}: ${e.message}`))
}

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

h.test('login page: a wrong password shows the API error', async () => {
  ;({ ctx: admin } = await launch())
  page = admin.pages()[0] || (await admin.newPage())
  watch(page, 'admin')
  await page.goto(URL0 + '/')
  await page.waitForURL(/\/login/)
  await login(page, 'admin', 'wrong-password-1')
  const err = page.locator('[data-test=login-error]')
  await err.waitFor({ timeout: 10000 })
  const text = await err.innerText()
  assert(/用户名或密码错误/.test(text), 'error text: ' + text)
  await shot(page, 'login-wrong-password')
})

h.test('login with the right password opens the shell: 工作台 first, 系统 last', async () => {
  await login(page, 'admin', ADMIN_PW)
  await page.waitForURL(/\/workbench/)
  const menu = (await page.locator('aside .el-sub-menu__title').allInnerTexts()).map((s) => s.trim())
  assert(menu[0] === '工作台' && menu[1] === '企业库' && menu[menu.length - 1] === '系统', 'menu areas: ' + JSON.stringify(menu))
  const items = (await page.locator('aside .el-menu-item').allInnerTexts()).map((s) => s.trim())
  const system = ['用户', '组织机构', 'API 令牌', '提醒规则', '审计日志', '关于']
  assert(items[0] === '工作台' && items[1] === '企业名录' && JSON.stringify(items.slice(-system.length)) === JSON.stringify(system), 'pages: ' + items)
  await page.locator('aside').getByText('用户', { exact: true }).click()
  await page.waitForURL(/\/system\/users/)
  await page.locator('.el-table__row').first().waitFor()
  await shot(page, 'admin-users')
})

h.test(`admin creates the 街道 unit ${UNIT}`, async () => {
  await page.locator('aside').getByText('组织机构', { exact: true }).click()
  await page.waitForURL(/org-units/)
  await page.locator('[data-test=org-create]').click()
  const dlg = page.locator('.el-dialog:visible')
  await dlg.locator('input[name=name]').fill(UNIT)
  await dlg.locator('input[name=code]').fill('120116001')
  await page.locator('[data-test=org-save]').click()
  await page.locator('.el-dialog:visible').waitFor({ state: 'hidden' })
  await page.locator('[data-test=org-tree]').getByText(UNIT, { exact: true }).waitFor()
  const h2 = await page.locator('.org-detail h2').innerText()
  assert(h2 === UNIT, 'selected unit: ' + h2)
  assert((await page.locator('.org-detail').innerText()).includes('街道'), 'kind 街道 shown')
  await shot(page, 'org-unit-created')
})

h.test(`admin creates the 街道专员 user ${AGENT} in ${UNIT}`, async () => {
  await page.locator('aside').getByText('用户', { exact: true }).click()
  await page.waitForURL(/\/system\/users/)
  await page.locator('[data-test=user-create]').click()
  const dlg = page.locator('.el-dialog:visible')
  await dlg.locator('input[name=username]').fill(AGENT)
  await dlg.locator('input[name=display_name]').fill('街道专员甲')
  await pick(page, dlg.locator('[data-test=user-role]'), '街道园区专员')
  await pick(page, dlg.locator('[data-test=user-unit]'), UNIT)
  await dlg.locator('input[name=password]').fill(AGENT_PW1)
  await page.locator('[data-test=user-save]').click()
  await page.locator('.el-dialog:visible').waitFor({ state: 'hidden' })
  const row = page.locator('.el-table__row', { hasText: AGENT })
  await row.first().waitFor()
  const t = await row.first().innerText()
  assert(t.includes('街道园区专员') && t.includes(UNIT), 'row: ' + t)
  await shot(page, 'user-created')
})

h.test('a field error of the API is shown next to the field', async () => {
  await page.locator('[data-test=user-create]').click()
  const dlg = page.locator('.el-dialog:visible')
  await dlg.locator('input[name=username]').fill(AGENT) // taken
  await dlg.locator('input[name=password]').fill(AGENT_PW1)
  await page.locator('[data-test=user-save]').click()
  const err = dlg.locator('.el-form-item.is-error .el-form-item__error')
  await err.first().waitFor({ timeout: 10000 })
  const t = await err.first().innerText()
  assert(t.length > 0, 'field error shown')
  await shot(page, 'field-error')
  await dlg.getByRole('button', { name: '取消' }).click()
})

h.test('the 街道专员 logs in, changes the initial password and sees only its unit', async () => {
  ;({ ctx: agent } = await launch())
  page2 = agent.pages()[0] || (await agent.newPage())
  watch(page2, 'agent')
  await login(page2, AGENT, AGENT_PW1)
  // forced password change
  const dlg = page2.locator('.el-dialog:visible', { hasText: '修改密码' })
  await dlg.waitFor()
  await page2.waitForTimeout(300)
  await shot(page2, 'agent-forced-password')
  await dlg.locator('input[name=old_password]').fill(AGENT_PW1)
  await dlg.locator('input[name=new_password]').fill(AGENT_PW2)
  await dlg.locator('input[name=confirm]').fill(AGENT_PW2)
  await dlg.getByRole('button', { name: '保存' }).click()
  await dlg.waitFor({ state: 'hidden' })
  const items = (await page2.locator('aside .el-menu-item').allInnerTexts()).map((s) => s.trim())
  assert(
    items[0] === '工作台' && items[1] === '企业名录' && JSON.stringify(items.slice(-2)) === JSON.stringify(['组织机构', '关于']) && !items.includes('用户') && !items.includes('审计日志') && !items.includes('API 令牌'),
    'agent pages: ' + items,
  )
  await page2.waitForURL(/\/workbench/)
  await page2.locator('aside').getByText('组织机构', { exact: true }).click()
  await page2.waitForURL(/org-units/)
  await page2.locator('[data-test=org-tree] .el-tree-node__content').first().waitFor()
  const tree = (await page2.locator('[data-test=org-tree] .el-tree-node__content').allInnerTexts()).map((s) => s.trim())
  assert(tree.length === 1 && tree[0].startsWith(UNIT), 'agent tree: ' + JSON.stringify(tree))
  // the unit switcher lists only that unit
  await page2.locator('#app [data-test=unit-switch]').click()
  const nodes = page2.locator('.el-select-dropdown:visible .el-tree-node__content')
  await nodes.first().waitFor()
  const opts = (await nodes.allInnerTexts()).map((s) => s.trim())
  assert(JSON.stringify(opts) === JSON.stringify([UNIT]), 'switcher: ' + JSON.stringify(opts))
  await shot(page2, 'agent-own-unit')
  await page2.keyboard.press('Escape')
  // pages outside the role fall back to an allowed page
  await page2.goto(URL0 + '/system/audit')
  await page2.waitForURL(/\/workbench/)
})

h.test('an edit of the user shows up in the audit log with before and after', async () => {
  const row = page.locator('.el-table__row', { hasText: AGENT }).first()
  await row.getByRole('button', { name: '编辑' }).click()
  const dlg = page.locator('.el-dialog:visible')
  await dlg.locator('input[name=display_name]').fill('街道专员乙')
  await page.locator('[data-test=user-save]').click()
  await dlg.waitFor({ state: 'hidden' })
  await page.locator('aside').getByText('审计日志', { exact: true }).click()
  await page.waitForURL(/\/system\/audit/)
  // the action filter offers every action the server names (enterprise
  // actions were missing from the page's own list before), by name
  await page.locator('[data-test=f-action]').click()
  const dd = page.locator('.el-select-dropdown:visible').last()
  await dd.getByText('新建企业', { exact: true }).first().waitFor({ timeout: 10000 }).catch(() => {})
  const opts = (await dd.locator('.el-select-dropdown__item').allInnerTexts()).map((o) => o.trim())
  for (const want of ['新建企业', '批量导入', '全区筛查', '修改用户']) assert(opts.includes(want), 'action filter has ' + want + ': ' + opts)
  assert(!opts.some((o) => /^[a-z_]+\.[a-z_.]+$/.test(o)), 'no raw codes: ' + opts)
  await page.keyboard.press('Escape')
  await pick(page, page.locator('[data-test=f-action]'), '修改用户')
  await page.getByRole('button', { name: '查询' }).click()
  await page.waitForURL(/action=user\.update/)
  const first = page.locator('.el-table__body-wrapper .el-table__row').first()
  await first.waitFor()
  await first.click()
  const drawer = page.locator('.el-drawer:visible')
  const diff = drawer.locator('[data-test=audit-diff]')
  await diff.waitFor()
  const t = await diff.innerText()
  assert(t.includes('街道专员甲') && t.includes('街道专员乙'), 'diff: ' + t)
  await page.waitForTimeout(500) // the drawer slides in
  await shot(page, 'audit-diff')
  await page.keyboard.press('Escape')
  await drawer.waitFor({ state: 'hidden' })
})

h.test('export of the audit list downloads a valid XLSX', async () => {
  await page.getByRole('button', { name: '重置' }).click()
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20000 }), page.locator('[data-test=export-xlsx]').click()])
  const path = join(process.env.E2E_TMP || '/tmp', 'audit.xlsx')
  await dl.saveAs(path)
  const b = readFileSync(path)
  await shot(page, 'audit-export')
  assert(dl.suggestedFilename().endsWith('.xlsx'), 'file name ' + dl.suggestedFilename())
  assert(b.length > 100 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 3 && b[3] === 4, 'zip signature')
  assert(b.includes(Buffer.from('xl/workbook.xml')), 'zip holds xl/workbook.xml')
})

h.test('API token: created, its secret shown once, then revoked', async () => {
  await page.locator('aside').getByText('API 令牌', { exact: true }).click()
  await page.waitForURL(/api-tokens/)
  await page.locator('[data-test=token-create]').click()
  const dlg = page.locator('.el-dialog:visible')
  await dlg.locator('input[name=name]').fill('统计数据对接')
  await dlg.getByRole('button', { name: '创建' }).click()
  const secret = page.locator('[data-test=token-secret]')
  await secret.waitFor()
  const tok = (await secret.innerText()).trim()
  assert(tok.length >= 20, 'secret shown: ' + tok)
  await page.waitForTimeout(300)
  await shot(page, 'token-secret')
  await page.getByRole('button', { name: '我已保存' }).click()
  const row = page.locator('.el-table__row', { hasText: '统计数据对接' }).first()
  await row.waitFor()
  await page.locator('[data-test=token-secret]').waitFor({ state: 'detached' })
  assert(!(await page.content()).includes(tok), 'the secret is not kept in the page')
  await row.getByRole('button', { name: '吊销' }).click()
  await page.locator('.el-message-box:visible').getByRole('button', { name: '吊销' }).click()
  await page.getByText('令牌已吊销').first().waitFor()
  // the list reloads after the toast: wait for the row to go (on a loaded
  // machine the reload can land after the toast), then check it is gone
  await page.locator('.el-table__row', { hasText: '统计数据对接' }).first().waitFor({ state: 'detached', timeout: 10000 }).catch(() => {})
  assert((await page.locator('.el-table__row', { hasText: '统计数据对接' }).count()) === 0, 'revoked token hidden')
})

h.test('audit activity overview draws a chart (ECharts loaded on demand)', async () => {
  await page.locator('aside').getByText('审计日志', { exact: true }).click()
  await page.waitForURL(/\/system\/audit/)
  await page.locator('[data-test=overview-toggle]').click()
  await page.locator('.kc-chart canvas').first().waitFor({ timeout: 15000 })
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=chart-png]').click()])
  assert(dl.suggestedFilename().endsWith('.png'), 'png export ' + dl.suggestedFilename())
  await page.waitForTimeout(300)
  await shot(page, 'audit-overview')
  await page.locator('[data-test=overview-toggle]').click()
})

h.test('org units: create, move under another unit, retire with a reason', async () => {
  await page.locator('aside').getByText('组织机构', { exact: true }).click()
  await page.waitForURL(/org-units/)
  const tree = page.locator('[data-test=org-tree]')
  await tree.getByText('本区', { exact: true }).click()
  await page.locator('[data-test=org-create]').click()
  let dlg = page.locator('.el-dialog:visible')
  await dlg.locator('input[name=name]').fill('临港园区')
  await pick(page, dlg.locator('[data-test=org-kind]'), '园区')
  await page.locator('[data-test=org-save]').click()
  await dlg.waitFor({ state: 'hidden' })
  await tree.getByText('临港园区', { exact: true }).waitFor()
  await page.getByRole('button', { name: '调整上级' }).click()
  dlg = page.locator('.el-dialog:visible')
  await pick(page, dlg.locator('.el-select').first(), UNIT)
  await page.locator('[data-test=org-save]').click()
  await dlg.waitFor({ state: 'hidden' })
  await page.locator('.org-detail').getByText(`本区 / ${UNIT}`).waitFor()
  await page.locator('.org-detail').getByRole('button', { name: '撤销' }).click()
  dlg = page.locator('.el-dialog:visible')
  await page.locator('[data-test=org-save]').click() // no reason: the API's field error
  await dlg.locator('.el-form-item.is-error').waitFor()
  await dlg.locator('textarea[name=retire_reason]').fill('并入滨海街道')
  await page.locator('[data-test=org-save]').click()
  await dlg.waitFor({ state: 'hidden' })
  await tree.getByText('临港园区', { exact: true }).waitFor({ state: 'detached' })
  await page.getByText('显示已撤销的单位').click()
  const node = tree.locator('.el-tree-node__content', { hasText: '临港园区' })
  await node.waitFor()
  assert((await node.innerText()).includes('已撤销'), 'retired tag')
  await node.click()
  await page.locator('.org-detail').getByText('并入滨海街道').waitFor()
  await page.waitForTimeout(500) // tree and message transitions
  await shot(page, 'org-retired')
  await page.getByText('显示已撤销的单位').click()
})

// Texts of one column of the visible table (1-based column index).
async function columnTexts(p, n) {
  return (await p.locator(`.el-table__body-wrapper .el-table__row td:nth-child(${n})`).allInnerTexts()).map((s) => s.trim())
}

h.test('users and audit: a click on a sortable header sorts through the API, the sort is in the URL', async () => {
  await page.locator('aside').getByText('用户', { exact: true }).click()
  await page.waitForURL(/\/system\/users/)
  await page.locator('.el-table__row', { hasText: AGENT }).first().waitFor()
  const header = (label) => page.locator('.el-table__header-wrapper th', { hasText: label }).first()
  // a click on the header's label (the middle of the cell may be the
  // descending caret, which sorts descending at once)
  const sortBy = (label) => header(label).click({ position: { x: 12, y: 12 } })
  // only the columns the API can sort show the sort carets
  assert((await header('用户名').locator('.caret-wrapper').count()) === 1, 'username sortable')
  assert((await header('状态').locator('.caret-wrapper').count()) === 0, 'status not sortable')
  // other test files may have added users: compare the order of ours
  const ours = (list) => list.filter((n) => n === 'admin' || n === AGENT)
  await sortBy('用户名')
  await page.waitForURL(/[?&]sort=username(&|$)/)
  let names = ours(await columnTexts(page, 1))
  assert(JSON.stringify(names) === JSON.stringify(['admin', AGENT]), 'ascending: ' + names)
  await sortBy('用户名')
  await page.waitForURL(/[?&]sort=-username(&|$)/)
  // ascending starts with admin; descending no longer does
  await page.waitForFunction(() => {
    const td = document.querySelector('.el-table__body-wrapper .el-table__row td')
    return td && td.innerText.trim() !== 'admin'
  })
  names = ours(await columnTexts(page, 1))
  assert(JSON.stringify(names) === JSON.stringify([AGENT, 'admin']), 'descending: ' + names)
  assert((await header('用户名').getAttribute('class')).includes('descending'), 'header shows descending')
  // a column whose API name differs from its field (角色 sorts by role)
  await sortBy('角色')
  await page.waitForURL(/[?&]sort=role(&|$)/)
  // the sort survives a reload (bookmark)
  await page.reload()
  await page.locator('.el-table__row').first().waitFor()
  assert((await header('角色').getAttribute('class')).includes('ascending'), 'sort restored from the URL')
  await shot(page, 'users-sorted')

  await page.locator('aside').getByText('审计日志', { exact: true }).click()
  await page.waitForURL(/\/system\/audit/)
  await page.locator('.el-table__row').first().waitFor()
  const newest = (await columnTexts(page, 1))[0]
  await sortBy('时间')
  await page.waitForURL(/[?&]sort=at(&|$)/)
  await page.waitForFunction((n) => document.querySelector('.el-table__body-wrapper .el-table__row td')?.innerText.trim() !== n, newest)
  const ids = (await columnTexts(page, 1)).map(Number)
  assert(ids[0] < Number(newest), `oldest first: ${ids[0]} < ${newest}`)
  assert(ids.every((v, i) => i === 0 || ids[i - 1] < v), 'ascending ids: ' + ids)
  await sortBy('时间')
  await page.waitForURL(/[?&]sort=-at(&|$)/)
  await page.waitForFunction((n) => document.querySelector('.el-table__body-wrapper .el-table__row td')?.innerText.trim() === n, newest)
  await sortBy('操作')
  await page.waitForURL(/[?&]sort=action(&|$)/)
  await page.locator('.el-table__header-wrapper th.ascending', { hasText: '操作' }).waitFor()
  await page.waitForTimeout(300)
  await shot(page, 'audit-sorted')
  await page.getByRole('button', { name: '重置' }).click()
  await page.waitForURL((u) => !u.search.includes('sort='))
})

h.test('关于 shows version, build, database and schema; the database file only to administrators', async () => {
  await page.locator('aside').getByText('关于', { exact: true }).click()
  await page.waitForURL(/about/)
  await page.locator('[data-test=about]').waitFor()
  const about = await page.locator('[data-test=about]').innerText()
  for (const label of ['版本', '构建', '数据库', '数据库文件', '数据库结构版本']) assert(about.includes(label), 'label ' + label + ': ' + about)
  assert((await page.locator('[data-test=about-version]').innerText()).trim().length > 0, 'version shown')
  assert((await page.locator('[data-test=about-commit]').innerText()).trim().length > 0, 'commit shown')
  assert((await page.locator('[data-test=about-backend]').innerText()).includes('SQLite'), 'backend shown')
  assert((await page.locator('[data-test=about-location]').innerText()).includes('k.db'), 'database file shown to the admin')
  assert(/^\d+（最新）$/.test((await page.locator('[data-test=about-schema]').innerText()).trim()), 'schema version')
  const sets = await page.locator('[data-test=about-rulesets]').innerText()
  assert(sets.includes('sme-2017') && sets.includes('已核实') && sets.includes('未核实'), 'built-in rule sets listed with their status')
  await shot(page, 'about-admin')

  await page2.goto(URL0 + '/system/about')
  await page2.locator('[data-test=about]').waitFor()
  assert((await page2.locator('[data-test=about-version]').innerText()).trim().length > 0, 'agent sees the version')
  assert((await page2.locator('[data-test=about-schema]').count()) === 1, 'agent sees the schema version')
  assert((await page2.locator('[data-test=about-location]').count()) === 0, 'no database file for the agent')
  assert(!(await page2.locator('[data-test=about]').innerText()).includes('数据库文件'), 'no database file label for the agent')
  await shot(page2, 'about-agent')
})

h.test('throttled login explains the wait', async () => {
  const { ctx, close } = await launch()
  try {
    const p = ctx.pages()[0] || (await ctx.newPage())
    watch(p, 'throttle')
    let waited = false
    for (let i = 0; i < 8 && !waited; i++) {
      await login(p, 'ghost', 'wrong-password-' + i)
      await p.locator('[data-test=login-error]').waitFor()
      await p.waitForTimeout(200)
      waited = (await p.locator('[data-test=login-wait]').count()) > 0
    }
    assert(waited, 'a 429 shows the wait')
    const t = await p.locator('[data-test=login-wait]').innerText()
    assert(/等待 \d+ 秒/.test(t), 'wait text: ' + t)
    assert(await p.getByRole('button', { name: /请等待/ }).isDisabled(), 'button disabled while waiting')
    await shot(p, 'login-throttled')
  } finally {
    await close()
  }
})

h.test('works at tablet width: menu in a drawer, no horizontal scrolling', async () => {
  await page.locator('aside').getByText('审计日志', { exact: true }).click()
  await page.waitForURL(/\/system\/audit/)
  await page.setViewportSize({ width: 768, height: 1024 })
  await page.locator('aside').first().waitFor({ state: 'detached' })
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  assert(over <= 0, 'horizontal overflow ' + over)
  await page.locator('.el-table__row').first().waitFor()
  await shot(page, 'tablet-audit')
  await page.getByRole('button', { name: /菜单/ }).click()
  await page.locator('.el-drawer:visible').getByText('关于', { exact: true }).click()
  await page.waitForURL(/about/)
  await page.locator('[data-test=about]').waitFor()
  await page.locator('.el-drawer:visible').waitFor({ state: 'hidden' })
  await page.waitForTimeout(300)
  await shot(page, 'tablet-about')
  await page.setViewportSize({ width: 1366, height: 768 })
})

h.test('keyboard: the login form works without a mouse', async () => {
  const { ctx, close } = await launch()
  try {
    const p = ctx.pages()[0] || (await ctx.newPage())
    watch(p, 'keyboard')
    await p.goto(URL0 + '/login')
    await p.locator('input[name=username]').waitFor()
    // the user name field has the focus on arrival
    await p.keyboard.type('admin')
    await p.keyboard.press('Tab')
    await p.keyboard.type(ADMIN_PW)
    await p.keyboard.press('Enter')
    await p.waitForURL(/\/workbench/)
  } finally {
    await close()
  }
})

h.test('no console errors or uncaught exceptions', async () => {
  assert(consoleErrors.length === 0, consoleErrors.join('\n'))
})

const failed = await h.run()
if (admin) await admin.close().catch(() => {})
if (agent) await agent.close().catch(() => {})
process.exit(failed ? 1 : 0)
