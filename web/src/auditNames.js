// Names of audit actions, object types and recorded fields (zh-CN).
export const ACTIONS = [
  { value: 'session.login', label: '登录' },
  { value: 'session.login_failed', label: '登录失败' },
  { value: 'session.logout', label: '退出登录' },
  { value: 'user.create', label: '新建用户' },
  { value: 'user.update', label: '修改用户' },
  { value: 'user.reset_password', label: '重置密码' },
  { value: 'user.change_password', label: '修改本人密码' },
  { value: 'org.create', label: '新建单位' },
  { value: 'org.update', label: '修改单位' },
  { value: 'org.move', label: '调整上级单位' },
  { value: 'org.retire', label: '撤销单位' },
  { value: 'token.create', label: '新建 API 令牌' },
  { value: 'token.revoke', label: '吊销 API 令牌' },
]
export const OBJECT_TYPES = [
  { value: 'user', label: '用户' },
  { value: 'session', label: '会话' },
  { value: 'org_unit', label: '单位' },
  { value: 'api_token', label: 'API 令牌' },
]
const FIELDS = {
  id: '编号',
  name: '名称',
  kind: '类型',
  code: '编码',
  sort: '排序',
  parent_id: '上级单位',
  path: '路径',
  retired_at: '撤销时间',
  retire_reason: '撤销原因',
  username: '用户名',
  display_name: '姓名',
  role: '角色',
  unit_id: '单位',
  disabled: '停用',
  must_change_password: '须修改密码',
  expires_at: '到期时间',
  prefix: '前缀',
  created_at: '创建时间',
  updated_at: '修改时间',
}
const find = (list, v) => (list.find((x) => x.value === v) || {}).label
export const actionLabel = (v) => find(ACTIONS, v) || v || '—'
export const objectTypeLabel = (v) => find(OBJECT_TYPES, v) || v || '—'
export const fieldLabel = (k) => (FIELDS[k] ? `${FIELDS[k]}（${k}）` : k)
