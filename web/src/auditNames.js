// Names of audit actions, object types and recorded fields (zh-CN), and of
// the code tables pages of several capabilities show (policy application
// statuses, roles, org unit kinds, service-log kinds). They come from the
// server (GET /reference/labels: the same table that
// audit_record checks every entry against and the exports use); the UI
// keeps no list of its own. loadLabels() fills these reactive holders once
// per page life; the label functions fall back to the code meanwhile.
import { reactive } from 'vue'
import { api } from './api.js'

export const ACTIONS = reactive([]) // [{ value, label }]
export const OBJECT_TYPES = reactive([]) // [{ value, label }]
const FIELDS = reactive({}) // { key: label }
export const POLICY_APP_STATUSES = reactive([]) // [{ value, label }]
export const ROLES = reactive([]) // [{ value, label, writes }]
export const UNIT_KINDS = reactive([]) // [{ value, label }]
export const SERVICE_KINDS = reactive([]) // [{ value, label }]

let cache = null
export function loadLabels() {
  if (!cache) {
    cache = api
      .get('/reference/labels')
      .then((r) => {
        ACTIONS.splice(0, ACTIONS.length, ...r.actions)
        OBJECT_TYPES.splice(0, OBJECT_TYPES.length, ...r.object_types)
        Object.assign(FIELDS, r.fields)
        POLICY_APP_STATUSES.splice(0, POLICY_APP_STATUSES.length, ...(r.policy_app_statuses || []))
        ROLES.splice(0, ROLES.length, ...(r.roles || []))
        UNIT_KINDS.splice(0, UNIT_KINDS.length, ...(r.unit_kinds || []))
        SERVICE_KINDS.splice(0, SERVICE_KINDS.length, ...(r.service_kinds || []))
        return r
      })
      .catch((e) => {
        cache = null
        throw e
      })
  }
  return cache
}

const find = (list, v) => (list.find((x) => x.value === v) || {}).label
export const actionLabel = (v) => find(ACTIONS, v) || v || '—'
export const objectTypeLabel = (v) => find(OBJECT_TYPES, v) || v || '—'
export const roleLabel = (v) => find(ROLES, v) || v
// "名称（name）" for the audit page, where administrators also need the code
export const fieldLabel = (k) => (FIELDS[k] ? `${FIELDS[k]}（${k}）` : k)
// the name alone, for pages of bureau staff
export const fieldName = (k) => FIELDS[k] || k
