// entRef.js - what the enterprise pages share: the code tables of
// GET /reference/enterprise (loaded once), exact 万元 → 元 conversion for
// inputs, R&D intensity from basis points, names of the audit actions and
// recorded fields of an enterprise.
import { reactive } from 'vue'
import { api } from '../../api.js'

// Listing statuses [{ code, name }] and source names { code: name } as the
// server names them (GET /reference/enterprise, the tables the API and the
// exports use); the UI keeps no copy. Filled by loadReference().
export const LISTING = reactive([])
const SOURCES = reactive({})

let refPromise = null

// The code tables (industry sections and divisions, technology domains,
// listing statuses, sources, IP kinds and statuses, fact kinds and levels,
// yearly figure fields). Loaded once per page load; a failure is retried on
// the next call.
export function loadReference() {
  if (!refPromise) {
    refPromise = api
      .get('/reference/enterprise')
      .then((r) => {
        LISTING.splice(0, LISTING.length, ...(r.listing_statuses || []))
        for (const s of r.sources || []) SOURCES[s.code] = s.name
        return r
      })
      .catch((e) => {
        refPromise = null
        throw e
      })
  }
  return refPromise
}

export const nameOf = (list, code) => ((list || []).find((x) => x.code === code) || {}).name || ''

// 万元 text (e.g. "12.5", "-3", "1,234.5678") → integer 元 as a decimal
// string, exactly (at most 4 decimals: 1 元 = 0.0001 万元). Returns null for
// blank input; throws an Error with a zh-CN message for anything else that
// is not a number.
export function wanToYuanString(text, { negative = false } = {}) {
  const s = String(text ?? '')
    .trim()
    .replace(/,/g, '')
  if (s === '') return null
  const m = /^([-+]?)(\d+)(?:\.(\d{0,4}))?$/.exec(s)
  if (!m) {
    if (/^[-+]?\d+\.\d{5,}$/.test(s)) throw new Error('金额最多 4 位小数（精确到元）')
    throw new Error('请输入数字（万元），如 1200 或 35.5')
  }
  if (m[1] === '-' && !negative) throw new Error('金额不能为负数')
  const digits = (m[2] + (m[3] || '').padEnd(4, '0')).replace(/^0+(?=\d)/, '')
  return (m[1] === '-' && !/^0+$/.test(digits) ? '-' : '') + digits
}

// Same as a JSON number (integer 元); refuses amounts beyond what a
// JavaScript number holds exactly (9 007 199 254 740 991 元).
export function wanToYuan(text, opts) {
  const s = wanToYuanString(text, opts)
  if (s === null) return null
  const n = Number(s)
  if (!Number.isSafeInteger(n)) throw new Error('金额过大')
  return n
}

// "15.03%" from basis points (1% = 100), exactly.
export function bpPercent(bp) {
  if (bp === null || bp === undefined || bp === '') return ''
  const n = Number(bp)
  if (!Number.isInteger(n)) return ''
  const a = Math.abs(n)
  return (n < 0 ? '-' : '') + Math.floor(a / 100) + '.' + String(a % 100).padStart(2, '0') + '%'
}

// The name of a record's source (src_kind); the code until loaded.
export const sourceLabel = (s) => SOURCES[s] || s || '—'

