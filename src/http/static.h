/* static.h - the embedded UI files (src/http/assets.h), with gzip, ETag,
 * cache headers and the single-page-app fallback. */
#ifndef KC_HTTP_STATIC_H
#define KC_HTTP_STATIC_H

#include "http/http.h"

/* Answer a request for a path outside /api/. Always fills resp. */
int http_static_serve(const HttpReq *req, HttpResp *resp);

#endif
