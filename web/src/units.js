// units.js - the organisation units in the user's scope as a tree, and
// their names for display (materialized paths like "/1/4/" hold ids).

// Tree (children arrays) from the flat list of GET /api/v1/org-units. A
// unit whose parent is not in the list (outside the scope) is a root.
export function unitTree(units, { disableRetired = false } = {}) {
  const byId = new Map()
  for (const u of units) {
    byId.set(u.id, { ...u, label: u.name, value: u.id, disabled: disableRetired && u.retired, children: [] })
  }
  const roots = []
  for (const n of byId.values()) {
    const p = n.parent_id != null ? byId.get(n.parent_id) : null
    if (p) p.children.push(n)
    else roots.push(n)
  }
  const order = (a, b) => a.sort - b.sort || a.id - b.id
  const sortDeep = (list) => {
    list.sort(order)
    list.forEach((n) => sortDeep(n.children))
  }
  sortDeep(roots)
  return roots
}

// "区 / 街道" for a unit id or a materialized path; ids not in scope are
// left out.
export function unitPathLabel(units, pathOrId) {
  const byId = new Map(units.map((u) => [u.id, u]))
  let ids
  if (typeof pathOrId === 'number') {
    const u = byId.get(pathOrId)
    if (!u) return ''
    ids = (u.path || '').split('/').filter(Boolean).map(Number)
  } else {
    ids = String(pathOrId || '')
      .split('/')
      .filter(Boolean)
      .map(Number)
  }
  return ids
    .map((id) => byId.get(id))
    .filter(Boolean)
    .map((u) => u.name)
    .join(' / ')
}
