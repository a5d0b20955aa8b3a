// marketRef.js - the contract code tables (types, sub-types, pre-2021
// mapping, places, fields, IP kinds), loaded once from
// GET /reference/contracts: the UI keeps no copy of its own.
import { api } from '../../api.js'

let cached = null

export async function loadContractRef() {
  if (!cached) cached = api.get('/reference/contracts')
  try {
    return await cached
  } catch (e) {
    cached = null
    throw e
  }
}

export function labelOf(list, value) {
  const x = (list || []).find((o) => String(o.value) === String(value))
  return x ? x.label : ''
}
