/* app.h - server-wide settings shared by every request. */
#ifndef KC_HTTP_APP_H
#define KC_HTTP_APP_H

#include <stdio.h>

struct Route;

/* A route table (src/http/routes.h): the application's (api_routes,
 * src/api/routes.c) is handed to the server here; http knows no route of
 * its own. */
typedef struct RouteTable {
    const struct Route *v;
    int n;
} RouteTable;

#define APP_PATH_MAX 1024

struct App {
    char db_location[APP_PATH_MAX]; /* what db_open gets */
    int secure_cookies;             /* add Secure to cookies (behind TLS) */
    int session_hours; /* idle lifetime of a session (default 12) */
    FILE *access_log;  /* NULL = no access log */
    int trust_proxy;   /* take the client address from X-Forwarded-For */
    RouteTable routes; /* the application's routes (api_routes) */
};

#endif
