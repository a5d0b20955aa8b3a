// ladderRef.js - names and colours shared by the 梯度培育 pages: verdicts,
// tiers and ladders (the tier codes of the rule sets' "tier" header), the
// 万元 ⇄ override text of the what-if panel, and the job poller.
import { api } from '../../api.js'

export const VERDICTS = [
  { code: 'met', name: '达标', tag: 'success', color: '#3f8f4f' },
  { code: 'expert', name: '待专家评审', tag: 'primary', color: '#3b6fb6' },
  { code: 'manual', name: '待人工确认', tag: 'primary', color: '#7a5cc0' },
  { code: 'unmet', name: '未达标', tag: 'danger', color: '#c0504d' },
  { code: 'unknown', name: '缺数据', tag: 'warning', color: '#d69a2d' },
  { code: 'conflict', name: '数据矛盾', tag: 'danger', color: '#8c2f2f' },
]
export const verdictOf = (code) => VERDICTS.find((v) => v.code === code || v.name === code) || { code, name: code || '—', tag: 'info', color: '#909399' }

export const TIER_NAMES = {
  sme: '科技型中小企业',
  hnte: '高新技术企业',
  chuying: '雏鹰企业',
  dengling: '瞪羚企业',
  lingjun_peiyu: '科技领军（培育）',
  lingjun: '科技领军企业',
  unicorn: '独角兽企业',
  innovative_sme: '创新型中小企业',
  zjtx: '专精特新中小企业',
  xiaojuren: '专精特新"小巨人"',
}
export const tierName = (t) => TIER_NAMES[t] || t || '—'

export const LADDERS = [
  { name: '科技型中小企业 → 高新技术企业', tiers: ['sme', 'hnte'] },
  { name: '雏鹰 → 瞪羚 → 科技领军 → 独角兽', tiers: ['chuying', 'dengling', 'lingjun_peiyu', 'lingjun', 'unicorn'] },
  { name: '创新型中小企业 → 专精特新 → 专精特新"小巨人"', tiers: ['innovative_sme', 'zjtx', 'xiaojuren'] },
]
export function ladderOfTier(t) {
  const i = LADDERS.findIndex((l) => l.tiers.includes(t))
  return i < 0 ? LADDERS.length : i
}

// Rule sets grouped by ladder, each ladder's tiers bottom-up; rule sets of
// an unknown tier go to a last group 其他.
export function groupRulesets(list) {
  const groups = LADDERS.map((l) => ({ name: l.name, items: [] }))
  const other = { name: '其他', items: [] }
  for (const r of list) {
    const i = ladderOfTier(r.tier)
    ;(i < LADDERS.length ? groups[i] : other).items.push(r)
  }
  for (const [i, g] of groups.entries()) {
    g.items.sort((a, b) => LADDERS[i].tiers.indexOf(a.tier) - LADDERS[i].tiers.indexOf(b.tier) || a.id.localeCompare(b.id))
  }
  return [...groups, other].filter((g) => g.items.length)
}

export function scoreRange(lo, hi) {
  if (lo === null || lo === undefined) return ''
  if (hi === null || hi === undefined || hi === lo) return `${lo} 分`
  return `${lo}–${hi} 分`
}

let ruleCache = null
// The rule sets in force (cached for the page's life; reload() refreshes).
export async function loadRulesets(refresh = false) {
  if (!ruleCache || refresh) ruleCache = api.get('/rulesets').catch((e) => {
    ruleCache = null
    throw e
  })
  return ruleCache
}

// Today in Asia/Shanghai as YYYY-MM-DD (the API's default as-of date).
export function today() {
  const d = new Date(Date.now() + 8 * 3600 * 1000)
  return d.toISOString().slice(0, 10)
}

// Polls GET path every `ms` until the job is no longer queued/running;
// onTick(job) after every answer. Returns a stop() function.
export function pollJob(path, onTick, onError, ms = 700) {
  let stopped = false
  let timer = null
  async function tick() {
    if (stopped) return
    try {
      const j = await api.get(path)
      if (stopped) return
      onTick(j)
      if (j.status === 'queued' || j.status === 'running') timer = setTimeout(tick, ms)
    } catch (e) {
      if (!stopped) onError(e)
    }
  }
  tick()
  return () => {
    stopped = true
    if (timer) clearTimeout(timer)
  }
}

export function jobPercent(j) {
  const p = (j && j.progress) || {}
  if (!p.total) return j && j.status === 'done' ? 100 : 0
  return Math.min(100, Math.floor((p.done * 100) / p.total))
}

// The input fields of the rule language (src/rules/field.c) a what-if may
// change: name, label, yearly or not, unit of the value typed in.
export const WHATIF_FIELDS = [
  { name: 'employees', label: '职工总数', yearly: true, unit: 'person' },
  { name: 'tech_staff', label: '科技人员数', yearly: true, unit: 'person' },
  { name: 'rd_staff', label: '研发人员数', yearly: true, unit: 'person' },
  { name: 'sales_revenue', label: '销售收入', yearly: true, unit: 'wan' },
  { name: 'total_revenue', label: '总收入', yearly: true, unit: 'wan' },
  { name: 'main_revenue', label: '主营业务收入', yearly: true, unit: 'wan' },
  { name: 'hitech_income', label: '高新技术产品（服务）收入', yearly: true, unit: 'wan' },
  { name: 'rd_expense', label: '研发费用', yearly: true, unit: 'wan' },
  { name: 'rd_domestic', label: '境内研发费用', yearly: true, unit: 'wan' },
  { name: 'total_cost', label: '成本费用总额', yearly: true, unit: 'wan' },
  { name: 'total_assets', label: '资产总额', yearly: true, unit: 'wan' },
  { name: 'total_liabilities', label: '负债总额', yearly: true, unit: 'wan' },
  { name: 'net_profit', label: '净利润', yearly: true, unit: 'wan' },
  { name: 'equity_financing', label: '新增股权融资（合格机构实缴）', yearly: true, unit: 'wan' },
  { name: 'tax_paid', label: '纳税总额', yearly: true, unit: 'wan' },
  { name: 'conversions', label: '科技成果转化项数', yearly: true, unit: 'item' },
  { name: 'established', label: '成立日期', yearly: false, unit: 'date' },
  { name: 'resident', label: '境内注册的居民企业', yearly: false, unit: 'bool' },
  { name: 'tianjin', label: '在天津市注册、具有独立法人资格', yearly: false, unit: 'bool' },
  { name: 'prohibited_industry', label: '产品或服务属于禁止、限制和淘汰类', yearly: false, unit: 'bool' },
  { name: 'negative_list_industry', label: '所在行业属于负面清单行业', yearly: false, unit: 'bool' },
  { name: 'accounting_sound', label: '会计核算健全、能准确归集研发费用', yearly: false, unit: 'bool' },
  { name: 'audit_collection', label: '实行查账征收', yearly: false, unit: 'bool' },
  { name: 'incident', label: '发生重大安全、重大质量事故或严重环境违法', yearly: false, unit: 'bool' },
  { name: 'dishonest', label: '有科研严重失信行为', yearly: false, unit: 'bool' },
  { name: 'fraud', label: '有严重弄虚作假行为', yearly: false, unit: 'bool' },
  { name: 'abnormal_list', label: '列入经营异常名录', yearly: false, unit: 'bool' },
  { name: 'serious_illegal', label: '列入严重违法失信企业名单', yearly: false, unit: 'bool' },
  { name: 'hnte_cert', label: '有效期内的高新技术企业证书', yearly: false, unit: 'bool' },
  { name: 'tj_hnte_cert', label: '有效期内的天津市高新技术企业证书', yearly: false, unit: 'bool' },
  { name: 'award_national_top3_5y', label: '近五年国家级科技奖励（获奖单位前三）', yearly: false, unit: 'bool' },
  { name: 'award_national_top3_3y', label: '近三年国家级科技奖励（获奖单位前三）', yearly: false, unit: 'bool' },
  { name: 'award_national_top5_3y', label: '近三年国家级科技奖励（获奖单位前五）', yearly: false, unit: 'bool' },
  { name: 'award_provincial_top3_3y', label: '近三年省级科技奖励（获奖单位前三）', yearly: false, unit: 'bool' },
  { name: 'award_3y', label: '近三年获得国家级或省级科技奖励', yearly: false, unit: 'bool' },
  { name: 'award_ever', label: '获得过国家级或省部级科技奖励', yearly: false, unit: 'bool' },
  { name: 'rd_institution', label: '经认定的省部级以上研发机构', yearly: false, unit: 'bool' },
  { name: 'rd_institution_any', label: '自建或联合建立研发机构', yearly: false, unit: 'bool' },
  { name: 'led_standard_5y', label: '近五年主导制定国际、国家或行业标准', yearly: false, unit: 'bool' },
  { name: 'joined_standard', label: '参加制定过各级标准', yearly: false, unit: 'bool' },
  { name: 'software_cert', label: '有效期内的软件企业证书', yearly: false, unit: 'bool' },
  { name: 'software_product_cert', label: '有效期内的软件产品证书', yearly: false, unit: 'bool' },
  { name: 'competition_award', label: '创新创业大赛获奖（国家级优秀奖或省级三等奖以上）', yearly: false, unit: 'bool' },
  { name: 'vc_single_max', label: '单笔单家创业投资最高额', yearly: false, unit: 'wan' },
  { name: 'sci_project', label: '国家级或省部级科技计划项目立项', yearly: false, unit: 'bool' },
  { name: 'innovation_honor', label: '高企、技术创新示范企业、知识产权示范/优势企业等荣誉', yearly: false, unit: 'bool' },
  { name: 'ip1', label: 'Ⅰ类知识产权', yearly: false, unit: 'item' },
  { name: 'ip2', label: 'Ⅱ类知识产权', yearly: false, unit: 'item' },
  { name: 'ip2_unused', label: '未在以往高企申请中使用的Ⅱ类知识产权', yearly: false, unit: 'item' },
  { name: 'ip1_self', label: '自主研发的Ⅰ类知识产权', yearly: false, unit: 'item' },
  { name: 'ip1_high', label: '高价值Ⅰ类知识产权', yearly: false, unit: 'item' },
  { name: 'ip1_applied', label: '已实际应用并产生效益的Ⅰ类知识产权', yearly: false, unit: 'item' },
  { name: 'emerging_industry', label: '主导产品属于战略性新兴产业', yearly: false, unit: 'bool' },
  { name: 'niche_years', label: '从事特定细分市场年限', yearly: false, unit: 'years' },
  { name: 'maker_top500_3y', label: '近三年进入“创客中国”全国500强', yearly: false, unit: 'bool' },
  { name: 'maker_top50_3y', label: '近三年进入“创客中国”全国50强', yearly: false, unit: 'bool' },
  { name: 'listed', label: '已上市', yearly: false, unit: 'bool' },
  { name: 'private_equity', label: '获得过私募投资', yearly: false, unit: 'bool' },
  { name: 'valuation_usd', label: '企业估值（美元）', yearly: false, unit: 'wan_usd' },
]
