// ladderRef.js - what the 梯度培育 pages share: verdict colours, the
// verdicts, ladders, tier names and input fields (from the server), the
// rule set list, and the job poller.
import { reactive } from 'vue'
import { api } from '../../api.js'
import { loadLabels, verifyLabel } from '../../auditNames.js'

// 已核实 / 未核实 of a rule set's status, from GET /reference/labels
// (verify_statuses), loaded with the reference below
export { verifyLabel }

// Colours of the verdicts, in the order the pages show them; their names
// come from the server (verdicts of GET /reference/rules).
const VERDICT_STYLE = {
  met: { tag: 'success', color: '#3f8f4f' },
  expert: { tag: 'primary', color: '#3b6fb6' },
  manual: { tag: 'primary', color: '#7a5cc0' },
  unmet: { tag: 'danger', color: '#c0504d' },
  unknown: { tag: 'warning', color: '#d69a2d' },
  conflict: { tag: 'danger', color: '#8c2f2f' },
}
const STYLE_ORDER = Object.keys(VERDICT_STYLE)
const styleOf = (code) => VERDICT_STYLE[code] || { tag: 'info', color: '#909399' }
export const VERDICTS = reactive([]) // [{ code, name, tag, color }]
export const verdictOf = (code) => VERDICTS.find((v) => v.code === code || v.name === code) || { code, name: code || '—', ...styleOf(code) }

// Ladders, tier names and the rule language's input fields come from the
// server (GET /reference/rules, the one list the API and the CLI use);
// loadReference() fills these reactive holders once per page life, and
// loadRulesets() waits for it, so pages that list rule sets have them.
export const LADDERS = reactive([]) // [{ name, tiers: [tier code, ...] }]
const TIER_NAMES = reactive({})
// The input fields a what-if may change: { name, label, yearly, unit }, unit
// yuan (typed in 万元), usd (万美元), person, item, years, date, bool, number.
export const WHATIF_FIELDS = reactive([])
export const tierName = (t) => TIER_NAMES[t] || t || '—'

let refCache = null
export function loadReference() {
  if (!refCache) {
    refCache = Promise.all([api.get('/reference/rules'), loadLabels()])
      .then(([r]) => {
        LADDERS.splice(0, LADDERS.length, ...r.ladders.map((l) => ({ name: l.name, tiers: l.tiers.map((t) => t.tier) })))
        for (const l of r.ladders) for (const t of l.tiers) TIER_NAMES[t.tier] = t.name
        WHATIF_FIELDS.splice(0, WHATIF_FIELDS.length, ...r.fields)
        const rank = (c) => (STYLE_ORDER.includes(c) ? STYLE_ORDER.indexOf(c) : STYLE_ORDER.length)
        const vs = (r.verdicts || []).map((v) => ({ ...v, ...styleOf(v.code) })).sort((a, b) => rank(a.code) - rank(b.code))
        VERDICTS.splice(0, VERDICTS.length, ...vs)
        return r
      })
      .catch((e) => {
        refCache = null
        throw e
      })
  }
  return refCache
}

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
// The rule sets in force (cached for the page's life; reload() refreshes),
// with the ladders loaded.
export async function loadRulesets(refresh = false) {
  if (!ruleCache || refresh) {
    ruleCache = Promise.all([api.get('/rulesets'), loadReference()])
      .then(([list]) => list)
      .catch((e) => {
        ruleCache = null
        throw e
      })
  }
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
