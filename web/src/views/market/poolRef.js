// poolRef.js - the kinds of 一池四库, their columns and the challenge
// stages, from GET /reference/market-items (loaded once).
import { api } from '../../api.js'

let cached = null

export async function loadPoolRef() {
  if (!cached) cached = api.get('/reference/market-items')
  try {
    return await cached
  } catch (e) {
    cached = null
    throw e
  }
}
