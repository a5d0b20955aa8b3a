// api.js - the one way the UI talks to /api/v1/.
//
// Every call sends the session cookie (same origin) and, on unsafe methods,
// the X-CSRF-Token header from the session. An error answer
// {"error":{"code","field","message"}} becomes an ApiError carrying the same
// fields plus the HTTP status (and Retry-After for 429); an answer that lists
// several errors ("errors": [{file, line, col, message, text}], as a rule
// check or reload does) keeps the list in `errors`. A 401 on anything but the
// session routes tells the session store that the login is gone.

export class ApiError extends Error {
  constructor(status, code, field, message, retryAfter, errors) {
    super(message || '请求失败')
    this.status = status
    this.code = code || 'error'
    this.field = field || ''
    this.retryAfter = retryAfter || 0
    this.errors = Array.isArray(errors) ? errors : []
  }
}

let csrfToken = ''
let onUnauthenticated = null

export function setCsrf(token) {
  csrfToken = token || ''
}

export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn
}

// Query string from an object; empty values are left out.
export function queryString(q) {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q || {})) {
    if (v === undefined || v === null || v === '') continue
    p.append(k, String(v))
  }
  const s = p.toString()
  return s ? '?' + s : ''
}

async function errorFrom(res) {
  let body = null
  try {
    body = await res.json()
  } catch {
    body = null
  }
  const e = (body && body.error) || {}
  const retry = parseInt(res.headers.get('Retry-After') || '0', 10) || 0
  let msg = e.message
  if (!msg) {
    msg = res.status >= 500 ? '服务器内部错误，请稍后重试' : `请求失败（HTTP ${res.status}）`
  }
  return new ApiError(res.status, e.code, e.field, msg, retry, e.errors)
}

async function send(method, path, { query, body } = {}) {
  const headers = { Accept: 'application/json' }
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' }
  if (method !== 'GET' && method !== 'HEAD') {
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json'
      init.body = JSON.stringify(body)
    }
  }
  let res
  try {
    res = await fetch('/api/v1' + path + queryString(query), init)
  } catch {
    throw new ApiError(0, 'network', '', '无法连接服务器，请检查网络后重试')
  }
  if (!res.ok) {
    const err = await errorFrom(res)
    if (res.status === 401 && !path.startsWith('/session') && onUnauthenticated) {
      onUnauthenticated()
    }
    throw err
  }
  return res
}

export async function request(method, path, opts) {
  const res = await send(method, path, opts)
  if (res.status === 204) return null
  const text = await res.text()
  return text ? JSON.parse(text) : null
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, body) => request('POST', path, { body }),
  put: (path, body) => request('PUT', path, { body }),
  patch: (path, body) => request('PATCH', path, { body }),
  del: (path) => request('DELETE', path),
}

// The file name of a Content-Disposition header (RFC 5987 form first).
export function dispositionName(h, fallback) {
  if (!h) return fallback
  const star = /filename\*=UTF-8''([^;]+)/i.exec(h)
  if (star) {
    try {
      return decodeURIComponent(star[1])
    } catch {
      /* fall through */
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(h)
  return plain ? plain[1] : fallback
}

// Download path?query as a file (exports: ?format=csv|xlsx). The browser
// saves it under the server's file name.
export async function download(path, query, fallbackName) {
  const res = await send('GET', path, { query })
  const blob = await res.blob()
  const name = dispositionName(res.headers.get('Content-Disposition'), fallbackName)
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
  return name
}

// Upload a file as the raw request body (routes flagged ROUTE_UPLOAD), with
// upload progress: onProgress(fraction 0..1). XMLHttpRequest because fetch
// cannot report upload progress. Resolves to the JSON answer.
export function upload(path, file, query, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', '/api/v1' + path + queryString(query))
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream')
    xhr.setRequestHeader('X-File-Name', encodeURIComponent(file.name))
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken)
    xhr.upload.onprogress = (ev) => {
      if (onProgress && ev.lengthComputable) onProgress(ev.loaded / ev.total)
    }
    xhr.onerror = () => reject(new ApiError(0, 'network', '', '无法连接服务器，请检查网络后重试'))
    xhr.onload = () => {
      let body = null
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null
      } catch {
        body = null
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body)
        return
      }
      const e = (body && body.error) || {}
      if (xhr.status === 401 && onUnauthenticated) onUnauthenticated()
      reject(
        new ApiError(
          xhr.status,
          e.code,
          e.field,
          e.message || (xhr.status === 413 ? '文件过大' : `请求失败（HTTP ${xhr.status}）`),
          parseInt(xhr.getResponseHeader('Retry-After') || '0', 10) || 0,
        ),
      )
    }
    xhr.send(file)
  })
}
