// harness.mjs - a tiny sequential TAP harness for the browser tests, and
// the chromium launch that the tests and bench/ui share.
import { createRequire } from 'node:module'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const require = createRequire(new URL('../../web/package.json', import.meta.url))
export const { chromium } = require('playwright-core')

// Flags that keep chromium quiet on a closed network and reproducible.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-domain-reliability',
  '--no-default-browser-check',
  '--lang=zh-CN',
]

// A persistent context in a fresh --user-data-dir (removed by close()).
export async function launch({ width = 1366, height = 768 } = {}) {
  const dir = mkdtempSync(join(process.env.E2E_TMP || tmpdir(), 'chromium-'))
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width, height },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
    timeout: 60000,
  })
  const close = async () => {
    await ctx.close().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
  return { ctx, close }
}

// Sequential tests; a failed test does not stop the next ones.
export function harness() {
  const start = parseInt(process.env.E2E_START || '0', 10)
  const tests = []
  let n = 0
  let failed = 0
  return {
    test(name, fn) {
      tests.push({ name, fn })
    },
    async run() {
      for (const t of tests) {
        n++
        const num = start + n
        try {
          await t.fn()
          console.log(`ok ${num} - ${t.name}`)
        } catch (e) {
          failed++
          console.log(`not ok ${num} - ${t.name}`)
          for (const line of String((e && e.stack) || e).split('\n').slice(0, 8)) console.log('# ' + line)
        }
      }
      if (process.env.E2E_COUNT_FILE) writeFileSync(process.env.E2E_COUNT_FILE, String(n))
      return failed
    },
  }
}

export function assert(cond, msg) {
  if (!cond) throw new Error(msg || 'assertion failed')
}

// Shared by the test files: a valid USCC from its first 17 characters; an
// API caller logged in as a user (call(method, path, body[, raw text
// body])); a browser login through the login page.
export const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
export function uscc(body17) {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(body17[i]) * USCC_W[i]
  return body17 + USCC_CHARS[(31 - (sum % 31)) % 31]
}

export async function apiAs(username, password) {
  const URL0 = process.env.E2E_URL
  const r = await fetch(URL0 + '/api/v1/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  assert(r.ok, `API login ${username}: ${r.status}`)
  const cookie = r.headers.get('set-cookie').split(';')[0]
  const { csrf_token: csrf } = await r.json()
  return async (method, path, body, raw) => {
    const res = await fetch(URL0 + '/api/v1' + path, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': raw ? 'text/plain' : 'application/json' },
      body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
    return text ? JSON.parse(text) : null
  }
}

export async function login(p, user, pw) {
  await p.goto(process.env.E2E_URL + '/login')
  await p.locator('input[name=username]').fill(user)
  await p.locator('input[name=password]').fill(pw)
  await p.getByRole('button', { name: '登录' }).click()
  await p.waitForURL((u) => !u.pathname.startsWith('/login'))
}
