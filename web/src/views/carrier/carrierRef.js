// carrierRef.js - the code tables of carriers, platforms, talent and the
// listing resource pool (GET /reference/carriers), loaded once.
import { api } from '../../api.js'

let cache = null
export async function loadCarrierRef() {
  if (!cache) {
    cache = api.get('/reference/carriers').catch((e) => {
      cache = null
      throw e
    })
  }
  return cache
}

export const labelOf = (list, v) => ((list || []).find((x) => x.value === v) || {}).label || v || '—'
