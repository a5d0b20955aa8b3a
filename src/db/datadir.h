/* datadir.h - where the files that belong to a database live: the
 * columnar snapshot ("snapshot") and the import staging directory
 * ("imports": staged uploads, the server's upload spool, validated rows).
 *
 * By default they sit beside a database file: "<db>.snapshot",
 * "<db>.imports". With the data_dir setting (config key data_dir, set once
 * at start-up before any thread runs) they live in that directory:
 * "<data_dir>/snapshot", "<data_dir>/imports" — the place for them when the
 * database is not a file on this machine, or its directory is read-only.
 * One rule for every caller; nothing else derives these paths. */
#ifndef KC_DOMAIN_DATADIR_H
#define KC_DOMAIN_DATADIR_H

#include <stddef.h>

#include "base/err.h"

#define DATADIR_MAX 1024 /* bytes of the data_dir setting */

/* Use dir for the files of every database of this process (NULL or "":
 * beside the database file). ERR_INVALID when dir is too long or not an
 * existing directory (zh-CN message naming it). */
int datadir_set(const char *dir, Err *e);

/* The path of name ("snapshot", "imports") for the database at location
 * into out (cap bytes). ERR_INVALID when location is not a database file
 * (":memory:", "file:" URIs) and no data_dir is set; ERR_TOOBIG when the
 * path does not fit. */
int datadir_path(const char *location, const char *name, char *out, size_t cap,
                 Err *e);

#endif
