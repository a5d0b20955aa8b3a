// Names of audit actions, object types and recorded fields (zh-CN), and of
// the code tables pages of several capabilities show (policy application
// statuses, roles, org unit kinds, service-log kinds, plan task / progress
// report / reported value statuses, pipeline actions, plan indicator
// kinds, cultivation task and ask statuses, the 已核实 / 未核实 check
// status of rule sets and calendar rules). They come from the
// server (GET /reference/labels: the same table that
// audit_record checks every entry against and the exports use); the UI
// keeps no list of its own. loadLabels() fills these reactive holders once
// per page life; the label functions fall back to the code meanwhile.
import { reactive } from 'vue'
import { api } from './api.js'

export const ACTIONS = reactive([]) // [{ value, label }]
export const OBJECT_TYPES = reactive([]) // [{ value, label }]
const FIELDS = reactive({}) // { key: label }
const OBJECT_FIELDS = reactive({}) // { object type: { key: label } }, before FIELDS
export const POLICY_APP_STATUSES = reactive([]) // [{ value, label }]
export const ROLES = reactive([]) // [{ value, label, writes }]
export const UNIT_KINDS = reactive([]) // [{ value, label }]
export const SERVICE_KINDS = reactive([]) // [{ value, label }]
export const PLAN_TASK_STATUSES = reactive([]) // [{ value, label }]
export const PLAN_REPORT_STATUSES = reactive([]) // [{ value, label }]
export const PLAN_ACTUAL_STATUSES = reactive([]) // [{ value, label }]
export const PIPELINE_ACTIONS = reactive([]) // [{ value, label, hint, needs_comment, offered }]
export const PLAN_INDICATOR_KINDS = reactive([]) // [{ value, label, hint }]
export const TASK_STATUSES = reactive([]) // [{ value, label }] cultivation tasks
export const ASK_STATUSES = reactive([]) // [{ value, label }] enterprise asks
export const VERIFY_STATUSES = reactive([]) // [{ value, label }] confirmed / unverified
export const POLICY_STATUSES = reactive([]) // [{ value, label }] policies and their items

let cache = null
export function loadLabels() {
  if (!cache) {
    cache = api
      .get('/reference/labels')
      .then((r) => {
        ACTIONS.splice(0, ACTIONS.length, ...r.actions)
        OBJECT_TYPES.splice(0, OBJECT_TYPES.length, ...r.object_types)
        Object.assign(FIELDS, r.fields)
        for (const [t, list] of Object.entries(r.object_fields || {})) OBJECT_FIELDS[t] = Object.fromEntries(list.map((x) => [x.value, x.label]))
        POLICY_APP_STATUSES.splice(0, POLICY_APP_STATUSES.length, ...(r.policy_app_statuses || []))
        ROLES.splice(0, ROLES.length, ...(r.roles || []))
        UNIT_KINDS.splice(0, UNIT_KINDS.length, ...(r.unit_kinds || []))
        SERVICE_KINDS.splice(0, SERVICE_KINDS.length, ...(r.service_kinds || []))
        PLAN_TASK_STATUSES.splice(0, PLAN_TASK_STATUSES.length, ...(r.plan_task_statuses || []))
        PLAN_REPORT_STATUSES.splice(0, PLAN_REPORT_STATUSES.length, ...(r.plan_report_statuses || []))
        PLAN_ACTUAL_STATUSES.splice(0, PLAN_ACTUAL_STATUSES.length, ...(r.plan_actual_statuses || []))
        PIPELINE_ACTIONS.splice(0, PIPELINE_ACTIONS.length, ...(r.pipeline_actions || []))
        PLAN_INDICATOR_KINDS.splice(0, PLAN_INDICATOR_KINDS.length, ...(r.plan_indicator_kinds || []))
        TASK_STATUSES.splice(0, TASK_STATUSES.length, ...(r.task_statuses || []))
        ASK_STATUSES.splice(0, ASK_STATUSES.length, ...(r.ask_statuses || []))
        VERIFY_STATUSES.splice(0, VERIFY_STATUSES.length, ...(r.verify_statuses || []))
        POLICY_STATUSES.splice(0, POLICY_STATUSES.length, ...(r.policy_statuses || []))
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
// 已核实 / 未核实 of a rule set or calendar rule status ('' while loading)
export const verifyLabel = (v) => find(VERIFY_STATUSES, v) || ''
// 已核实 / 待核实 / 停用 of a policy or policy item status
export const policyStatusLabel = (v) => find(POLICY_STATUSES, v) || v || ''
export const planTaskStatusLabel = (v) => find(PLAN_TASK_STATUSES, v) || v
export const planReportStatusLabel = (v) => find(PLAN_REPORT_STATUSES, v) || v
export const planActualStatusLabel = (v) => find(PLAN_ACTUAL_STATUSES, v) || v
// "存量：统计日时点值": an indicator kind's name and how it is counted
export const planKindHint = (v) => {
  const k = PLAN_INDICATOR_KINDS.find((x) => x.value === v)
  return k ? `${k.label}：${k.hint}` : ''
}
// the action { value, label, hint, needs_comment } of code v, or a stand-in
// named by the code while the table loads
export const pipelineAction = (v) => PIPELINE_ACTIONS.find((x) => x.value === v) || { value: v, label: v, hint: '', needs_comment: false }
// "名称（name）" for the audit page, where administrators also need the code;
// an object type's own name of the field first (a contract's field is 技术领域)
export const fieldLabel = (k, type) => {
  const n = (type && OBJECT_FIELDS[type] && OBJECT_FIELDS[type][k]) || FIELDS[k]
  return n ? `${n}（${k}）` : k
}
// the name alone, for pages of bureau staff
export const fieldName = (k) => FIELDS[k] || k
