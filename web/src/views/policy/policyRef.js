// policyRef.js - what the 政策 pages share: outcome and status names and
// colours, money in 万元 (exact, from integer 元), the year default, and
// an export helper (the same list with ?format=csv|xlsx).
import { download } from '../../api.js'
import { toastError } from '../../ui.js'
import { wanYuan } from '../../format.js'

export const OUTCOMES = {
  qualified: { name: '符合', tag: 'success' },
  nearly: { name: '接近', tag: 'warning' },
  unknown: { name: '缺数据', tag: 'warning' },
  pending: { name: '待确认', tag: 'primary' },
  not: { name: '不符合', tag: 'info' },
}
export const outcomeOf = (c) => OUTCOMES[c] || { name: c || '—', tag: 'info' }

export const APP_STATUS = [
  { code: 'submitted', name: '已受理（待初审）', tag: 'info' },
  { code: 'street_ok', name: '初审通过（待复审）', tag: 'primary' },
  { code: 'bureau_ok', name: '复审通过（待公示）', tag: 'primary' },
  { code: 'notice', name: '公示中', tag: 'warning' },
  { code: 'paid', name: '部分拨付', tag: 'warning' },
  { code: 'closed', name: '已办结', tag: 'success' },
  { code: 'rejected', name: '不予通过', tag: 'danger' },
]
export const statusOf = (c) => APP_STATUS.find((s) => s.code === c) || { name: c || '—', tag: 'info' }

// 万元, exact (every significant digit), from integer 元.
export const wan = (yuan) => (yuan == null ? '—' : wanYuan(yuan, 'exact') || '0')

export const thisYear = () => new Date().getFullYear()

export async function exportList(path, query, format, name) {
  try {
    await download(path, { ...query, format }, name + '.' + format)
  } catch (e) {
    toastError(e)
  }
}
