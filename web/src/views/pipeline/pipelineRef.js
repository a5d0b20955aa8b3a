// pipelineRef.js - colours of the 四个一批 stages and the actions offered
// on an entry, by the codes of the API (src/domain/cultivation/pipeline.c).
// Stage names come with every entry (stage_name); service-log kinds and
// roles come from the server (auditNames.js, GET /reference/labels).
const STAGE_TAGS = {
  selected: 'info',
  recommended: 'warning',
  returned: 'danger',
  admitted: 'primary',
  cultivating: 'primary',
  certified: 'success',
  not_certified: 'danger',
  withdrawn: 'info',
}
export const stageOf = (code) => ({ tag: STAGE_TAGS[code] || 'info' })

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

export function thisYear() {
  return new Date().getFullYear()
}
