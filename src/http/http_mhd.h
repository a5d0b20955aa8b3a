/* http_mhd.h - the HTTP server: libmicrohttpd underneath (the only file
 * that includes microhttpd.h is http_mhd.c), http_dispatch() on top.
 *
 * A pool of worker threads (epoll) accepts connections; each worker keeps
 * its own database connection, opened on first use and closed at stop.
 * Bodies are capped by http_body_cap() before they are read. One access
 * log line per request goes to app->access_log when it is set. */
#ifndef KC_HTTP_HTTP_MHD_H
#define KC_HTTP_HTTP_MHD_H

#include "base/err.h"
#include "http/app.h"
#include "http/http.h"

typedef struct HttpServer HttpServer;

/* Start listening on `listen`: "127.0.0.1:8080", "[::1]:8080" or ":8080"
 * (every address; port 0 picks a free port, see http_server_port) with
 * `threads` workers (0 = number of CPUs). app must outlive the server.
 * On success *out is the running server (free with http_server_stop). */
int http_server_start(HttpServer **out, App *app, const char *listen,
                      int threads, Err *e);

/* Stop accepting, finish the requests in flight, close the workers'
 * database connections, flush the access log and free s (NULL is fine). */
void http_server_stop(HttpServer *s);

/* The port actually bound. */
int http_server_port(const HttpServer *s);

#endif
