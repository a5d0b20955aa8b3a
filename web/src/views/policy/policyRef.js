// policyRef.js - what the 政策 pages share: outcome colours (the names
// come with every match: outcome_name), status colours, money in 万元 (exact, from integer 元), the year default, and
// an export helper (the same list with ?format=csv|xlsx).
import { download } from '../../api.js'
import { toastError } from '../../ui.js'
import { wanYuan } from '../../format.js'

const OUTCOME_TAGS = {
  qualified: 'success',
  nearly: 'warning',
  unknown: 'warning',
  pending: 'primary',
  not: 'info',
}
export const outcomeOf = (c) => ({ tag: OUTCOME_TAGS[c] || 'info' })

// Colours of the application statuses; their names come from the server
// (POLICY_APP_STATUSES of auditNames.js, GET /reference/labels).
const APP_STATUS_TAGS = {
  submitted: 'info',
  street_ok: 'primary',
  bureau_ok: 'primary',
  notice: 'warning',
  paid: 'warning',
  closed: 'success',
  rejected: 'danger',
}
export const statusTag = (c) => APP_STATUS_TAGS[c] || 'info'

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
