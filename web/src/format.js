// format.js - display formatters shared by every page.
//
// Money arrives as integer 元 (a JSON number or a decimal string); 万元 is
// produced by moving the decimal point on the digit string, never through
// floating point, so 12345678901234567 元 shows exactly.

function digitsOf(v) {
  if (v === null || v === undefined || v === '') return null
  let s = typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? (Number.isSafeInteger(v) ? String(v) : null) : String(v).trim()
  if (s === null || !/^[-+]?\d+$/.test(s)) return null
  let neg = false
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-'
    s = s.slice(1)
  }
  s = s.replace(/^0+(?=\d)/, '')
  return { neg: neg && !/^0+$/.test(s), s }
}

function groupThousands(intPart) {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

// Add one unit in the last place of a digit string ("0999" -> "1000").
function incDigits(s) {
  const a = s.split('')
  let i = a.length - 1
  while (i >= 0) {
    if (a[i] === '9') {
      a[i] = '0'
      i--
    } else {
      a[i] = String(Number(a[i]) + 1)
      return a.join('')
    }
  }
  return '1' + a.join('')
}

// 万元 from integer 元: wanYuan(123456789) = "12,345.68"; decimals 0..4
// (default 2), rounded half away from zero; decimals = 'exact' keeps every
// significant digit ("12,345.6789"). Returns '' for an invalid value.
export function wanYuan(yuan, decimals = 2) {
  const d = digitsOf(yuan)
  if (!d) return ''
  const padded = d.s.padStart(5, '0')
  let intPart = padded.slice(0, -4)
  let frac = padded.slice(-4)
  if (decimals === 'exact') {
    frac = frac.replace(/0+$/, '')
  } else {
    const n = Math.max(0, Math.min(4, decimals | 0))
    const keep = frac.slice(0, n)
    const roundUp = n < 4 && frac[n] >= '5'
    if (roundUp) {
      const bumped = incDigits(intPart + keep)
      intPart = bumped.slice(0, bumped.length - n)
      frac = bumped.slice(bumped.length - n)
    } else {
      frac = keep
    }
  }
  intPart = intPart.replace(/^0+(?=\d)/, '')
  const zero = /^0*$/.test(intPart + frac)
  return (d.neg && !zero ? '-' : '') + groupThousands(intPart) + (frac ? '.' + frac : '')
}

// Percentage of part in whole, both integers (numbers, strings or BigInt),
// computed exactly and cut (toward zero) to `decimals` places, never rounded
// up: percentOf(2, 3) = "66.6%". This is the one rule for ratios everywhere
// (the server's latest_rd_bp is the same integer division, so the list and
// the yearly table agree), and a value below a threshold never prints as
// the threshold (docs/ui.md). '' when whole is 0.
export function percentOf(part, whole, decimals = 1) {
  const p = digitsOf(part)
  const w = digitsOf(whole)
  if (!p || !w || /^0+$/.test(w.s)) return ''
  const scale = 10n ** BigInt(decimals + 2)
  const num = BigInt(p.s) * scale
  const den = BigInt(w.s)
  const q = num / den
  const neg = p.neg !== w.neg && q !== 0n
  let s = q.toString().padStart(decimals + 1, '0')
  const int = s.slice(0, s.length - decimals)
  const frac = s.slice(s.length - decimals)
  return (neg ? '-' : '') + int + (decimals ? '.' + frac : '') + '%'
}

// A ratio already computed by the server (0.123 -> "12.3%").
export function percent(ratio, decimals = 1) {
  if (ratio === null || ratio === undefined || ratio === '' || Number.isNaN(Number(ratio))) return ''
  return (Number(ratio) * 100).toFixed(decimals) + '%'
}

function pad(n) {
  return String(n).padStart(2, '0')
}

function toDate(v) {
  if (!v) return null
  const d = v instanceof Date ? v : new Date(v)
  return Number.isNaN(d.getTime()) ? null : d
}

// "2026-11-22" in local time (a bare date string is kept as it is).
export function formatDate(v) {
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v
  const d = toDate(v)
  return d ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` : ''
}

// "2026-11-22 14:05:09" in local time from an ISO-8601 instant.
export function formatDateTime(v) {
  const d = toDate(v)
  if (!d) return ''
  return `${formatDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

// 统一社会信用代码: trim, full-width to half-width, upper case.
export function normalizeUscc(code) {
  return String(code || '')
    .trim()
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .replace(/\s+/g, '')
    .toUpperCase()
}

// Display form of a 统一社会信用代码 grouped by its parts (GB 32100):
// 登记管理部门码+机构类别码 (2) · 行政区划码 (6) · 主体标识码 (9) · 校验码 (1):
// "91 120116 MA05XXXXX 1". Anything that is not 18 characters is shown
// normalised but ungrouped.
export function formatUscc(code) {
  const c = normalizeUscc(code)
  if (c.length !== 18) return c
  return `${c.slice(0, 2)} ${c.slice(2, 8)} ${c.slice(8, 17)} ${c.slice(17)}`
}
