/* app.h - server-wide settings shared by every request. */
#ifndef KC_HTTP_APP_H
#define KC_HTTP_APP_H

#include <stdio.h>

#define APP_PATH_MAX 1024

struct App {
    char db_location[APP_PATH_MAX]; /* what db_open gets */
    int secure_cookies;             /* add Secure to cookies (behind TLS) */
    int session_hours; /* idle lifetime of a session (default 12) */
    FILE *access_log;  /* NULL = no access log */
    int trust_proxy;   /* take the client address from X-Forwarded-For */
};

#endif
