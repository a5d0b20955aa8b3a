// entRef.js - what the enterprise pages share: the code tables of
// GET /reference/enterprise (loaded once), exact 万元 → 元 conversion for
// inputs, R&D intensity from basis points, names of the audit actions and
// recorded fields of an enterprise.
import { api } from '../../api.js'

let refPromise = null

// The code tables (industry sections and divisions, technology domains,
// listing statuses, IP kinds and statuses, fact kinds and levels, yearly
// figure fields). Loaded once per page load; a failure is retried on the
// next call.
export function loadReference() {
  if (!refPromise) {
    refPromise = api.get('/reference/enterprise').catch((e) => {
      refPromise = null
      throw e
    })
  }
  return refPromise
}

export const nameOf = (list, code) => ((list || []).find((x) => x.code === code) || {}).name || ''

// 万元 text (e.g. "12.5", "-3", "1,234.5678") → integer 元 as a decimal
// string, exactly (at most 4 decimals: 1 元 = 0.0001 万元). Returns null for
// blank input; throws an Error with a zh-CN message for anything else that
// is not a number.
export function wanToYuanString(text, { negative = false } = {}) {
  const s = String(text ?? '')
    .trim()
    .replace(/,/g, '')
  if (s === '') return null
  const m = /^([-+]?)(\d+)(?:\.(\d{0,4}))?$/.exec(s)
  if (!m) {
    if (/^[-+]?\d+\.\d{5,}$/.test(s)) throw new Error('金额最多 4 位小数（精确到元）')
    throw new Error('请输入数字（万元），如 1200 或 35.5')
  }
  if (m[1] === '-' && !negative) throw new Error('金额不能为负数')
  const digits = (m[2] + (m[3] || '').padEnd(4, '0')).replace(/^0+(?=\d)/, '')
  return (m[1] === '-' && !/^0+$/.test(digits) ? '-' : '') + digits
}

// Same as a JSON number (integer 元); refuses amounts beyond what a
// JavaScript number holds exactly (9 007 199 254 740 991 元).
export function wanToYuan(text, opts) {
  const s = wanToYuanString(text, opts)
  if (s === null) return null
  const n = Number(s)
  if (!Number.isSafeInteger(n)) throw new Error('金额过大')
  return n
}

// "15.03%" from basis points (1% = 100), exactly.
export function bpPercent(bp) {
  if (bp === null || bp === undefined || bp === '') return ''
  const n = Number(bp)
  if (!Number.isInteger(n)) return ''
  const a = Math.abs(n)
  return (n < 0 ? '-' : '') + Math.floor(a / 100) + '.' + String(a % 100).padStart(2, '0') + '%'
}

export const LISTING = [
  { code: 'none', name: '未上市' },
  { code: 'candidate', name: '上市后备' },
  { code: 'neeq', name: '新三板挂牌' },
  { code: 'listed', name: '已上市' },
]

export const SOURCES = { user: '手工录入', import: '导入', demo: '演示数据', system: '系统' }
export const sourceLabel = (s) => SOURCES[s] || s || '—'

// Audit actions recorded under an enterprise.
export const ENT_ACTIONS = {
  'ent.create': '新建企业',
  'ent.update': '修改企业信息',
  'ent.retire': '注销出库',
  'ent_year.upsert': '保存年度数据',
  'ip.create': '登记知识产权',
  'ip.update': '修改知识产权',
  'ip.retire': '删除知识产权',
  'fact.create': '登记资质与荣誉',
  'fact.update': '修改资质与荣誉',
  'fact.retire': '删除资质与荣誉',
}
export const entActionLabel = (a) => ENT_ACTIONS[a] || a || '—'

// Field names of the enterprise record, IP rights and facts (the yearly
// figures are labelled from the reference's year_fields).
export const ENT_FIELDS = {
  id: '编号',
  enterprise_id: '企业编号',
  uscc: '统一社会信用代码',
  name: '名称',
  unit_id: '属地单位',
  unit_name: '属地单位',
  unit_path: '单位路径',
  address: '地址',
  legal_rep: '法定代表人',
  established_on: '成立日期',
  registered_capital: '注册资本（元）',
  registered_capital_wan: '注册资本（万元）',
  industry_code: '行业代码',
  tech_domain: '技术领域',
  tech_subdomain: '技术领域子项',
  listing_status: '上市状态',
  contact_name: '联系人',
  contact_phone: '联系电话',
  contact_email: '电子邮箱',
  liaison_user_id: '包联人员',
  note: '备注',
  year: '年度',
  kind: '类型',
  klass: '类别',
  defense: '国防专利',
  number: '编号/证书号',
  title: '名称',
  applied_on: '申请日',
  granted_on: '授权日',
  expires_on: '到期日',
  status: '状态',
  acquisition: '取得方式',
  acquired_on: '取得日期',
  main_product: '与主要产品相关',
  hnte_year: '用于高企申报年度',
  subkind: '子类',
  level: '级别',
  rank: '名次',
  amount: '金额（元）',
  amount_wan: '金额（万元）',
  counterparty: '颁发/投资方',
  occurred_on: '发生日期',
  valid_from: '有效期起',
  valid_to: '有效期止',
  src_kind: '来源',
  src_user_id: '录入人',
  src_ref: '来源引用',
  src_at: '来源时间',
  verified: '已核实',
  retired: '已删除',
  retired_at: '注销/删除时间',
  retire_reason: '原因',
  created_at: '创建时间',
  updated_at: '修改时间',
  latest_year: '最近年度',
  latest_revenue: '最近年度销售收入（元）',
  latest_rd_bp: '最近年度研发强度（基点）',
  former_names: '曾用名',
  provenance: '数据来源',
  liaison_name: '包联人员',
  listing_status_name: '上市状态',
}
