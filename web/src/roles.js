// Roles as the API names them (src/domain/accounts/actor.h).
export const ROLES = [
  { value: 'admin', label: '系统管理员' },
  { value: 'staff', label: '科技局业务' },
  { value: 'leader', label: '领导（只读）' },
  { value: 'agent', label: '街道园区专员' },
  { value: 'dept', label: '责任单位' },
]
export const roleLabel = (v) => (ROLES.find((r) => r.value === v) || {}).label || v
