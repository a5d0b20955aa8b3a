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
