// fieldErrors.js - API field errors next to the form item.
//
//   const fe = useFieldErrors(['username', 'role'])
//   <el-form-item :error="fe.errors.username"> ...
//   try { ... } catch (e) { fe.handle(e) }
//
// An ApiError whose `field` names one of the form's fields is shown under
// that item (Element Plus' form-item `error`); any other error (no field,
// or a field the form does not have) becomes a message at the top of the
// page. `alias` maps API field names to form item names when they differ.
import { reactive } from 'vue'
import { toastError } from '../ui.js'

export function useFieldErrors(fields, alias = {}) {
  const errors = reactive(Object.fromEntries(fields.map((f) => [f, ''])))
  function clear() {
    for (const k of Object.keys(errors)) errors[k] = ''
  }
  function handle(e) {
    clear()
    const f = e && e.field ? alias[e.field] || e.field : ''
    if (f && Object.prototype.hasOwnProperty.call(errors, f)) {
      errors[f] = e.message
      return f
    }
    toastError(e)
    return ''
  }
  return { errors, clear, handle }
}
