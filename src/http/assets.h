/* assets.h - static files embedded at build time by tools/embed.c. */
#ifndef KC_HTTP_ASSETS_H
#define KC_HTTP_ASSETS_H

#include <stddef.h>

typedef struct KcAsset {
    const char *path; /* "/index.html", "/assets/app-3f2a.js" */
    const char *content_type;
    const char *etag; /* quoted strong ETag */
    const unsigned char *data;
    size_t len;
    const unsigned char *gz; /* gzip-compressed copy */
    size_t gz_len;
} KcAsset;

extern const KcAsset kc_assets[]; /* ends with an all-zero entry */
extern const int kc_n_assets;

#endif
