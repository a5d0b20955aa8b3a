// ui.js - messages and confirmations (Element Plus services need their CSS
// imported by hand; components get theirs from the resolver).
import { ElMessage, ElMessageBox } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'

export function toastOk(msg) {
  ElMessage({ type: 'success', message: msg, duration: 2500 })
}

export function toastError(err) {
  const msg = err && err.message ? err.message : String(err)
  ElMessage({ type: 'error', message: msg, duration: 5000, showClose: true })
}

// Resolves true when confirmed, false when cancelled.
export async function confirm(message, title = '请确认', okText = '确定') {
  try {
    await ElMessageBox.confirm(message, title, {
      confirmButtonText: okText,
      cancelButtonText: '取消',
      type: 'warning',
    })
    return true
  } catch {
    return false
  }
}
