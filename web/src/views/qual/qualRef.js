// qualRef.js - the qualifications reference (GET /reference/qualifications:
// kinds with names, levels, validity, number format and source; bases;
// statuses; the calendar's rules), loaded once per page load. The UI
// keeps no copy of these tables.
import { api } from '../../api.js'

let refPromise = null

export function loadQualReference() {
  if (!refPromise) {
    refPromise = api.get('/reference/qualifications').catch((e) => {
      refPromise = null
      throw e
    })
  }
  return refPromise
}

// Tag type of a record's state on today.
export const STATE_TAG = { valid: 'success', expired: 'info', ended: 'danger', pending: 'warning' }
