// pipelineRef.js - names of the 四个一批 stages, board columns, actions and
// service-log kinds, as the API codes them (src/domain/cultivation/pipeline.c,
// src/domain/cultivation/service.c).
export const STAGES = {
  selected: { name: '已遴选', tag: 'info' },
  recommended: { name: '待审核', tag: 'warning' },
  returned: { name: '已退回', tag: 'danger' },
  admitted: { name: '已入库', tag: 'primary' },
  cultivating: { name: '培育中', tag: 'primary' },
  certified: { name: '已认定', tag: 'success' },
  not_certified: { name: '未通过认定', tag: 'danger' },
  withdrawn: { name: '已退出', tag: 'info' },
}
export const stageOf = (code) => STAGES[code] || { name: code || '—', tag: 'info' }

// Actions offered on an entry in each stage, and whether a comment is
// required (the server checks again).
export const ACTIONS = {
  recommend: { label: '推荐入库', need: true, hint: '推荐意见' },
  approve: { label: '审核通过', need: false, hint: '审核意见' },
  return: { label: '退回', need: true, hint: '退回原因' },
  cultivate: { label: '开始培育', need: false, hint: '说明' },
  certify: { label: '登记认定结果', need: false, hint: '未通过认定时填写原因' },
  withdraw: { label: '退出', need: true, hint: '退出原因' },
}
export function actionsFor(stage) {
  switch (stage) {
    case 'selected':
    case 'returned':
      return ['recommend', 'certify', 'withdraw']
    case 'recommended':
      return ['approve', 'return', 'certify', 'withdraw']
    case 'admitted':
      return ['cultivate', 'withdraw']
    case 'cultivating':
      return ['certify', 'withdraw']
    case 'not_certified':
      return ['cultivate', 'certify', 'withdraw']
    default:
      return []
  }
}

export const SERVICE_KINDS = [
  { code: 'visit', name: '走访' },
  { code: 'meeting', name: '座谈' },
  { code: 'call', name: '电话' },
  { code: 'training', name: '培训' },
  { code: 'briefing', name: '政策宣讲' },
  { code: 'other', name: '其他' },
]

export const ROLES = [
  { code: 'staff', name: '科技局业务' },
  { code: 'agent', name: '街道园区专员' },
  { code: 'dept', name: '责任单位' },
  { code: 'admin', name: '系统管理员' },
]

export function thisYear() {
  return new Date().getFullYear()
}
