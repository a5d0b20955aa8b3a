// pipelineRef.js - colours of the 四个一批 stages and the actions offered
// on an entry, by the codes of the API (src/domain/cultivation/pipeline.c).
// Stage names come with every entry (stage_name) and action names with
// every event (action_name); service-log kinds, roles and the actions'
// names come from the server (auditNames.js, GET /reference/labels).
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

// The actions offered on an entry in each stage, by code; their names,
// comment hints and whether a comment is required come from the server
// (pipeline_actions of GET /reference/labels, pipelineAction() of
// auditNames.js; the server checks again).
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
