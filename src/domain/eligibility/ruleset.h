/* ruleset.h - the table of rule sets in force in this process: the rule
 * sets built into the binary (the files under rules/) overridden and
 * extended by the *.kcr files of a rules directory (--rules-dir, config
 * key rules_dir). A rule set of the directory with the id of a built-in
 * one replaces it.
 *
 * A table is immutable once published. Loading a directory parses every
 * file first; when any file fails (syntax, unknown field, type, band
 * overlap, duplicate id, unreadable) nothing changes and every error is
 * reported as "file:line:col: message". A successful load publishes a new
 * table; the previous one is never freed, so every pointer handed out
 * (tables, entries, rule sets, texts) stays valid for the life of the
 * process. Loads are therefore capped (RULESET_RELOAD_MAX per process).
 * A directory file whose bytes match a file of any earlier table shares
 * that parsed rule set instead of being parsed again.
 * All functions are thread-safe. Design: docs/internals/rules.md. */
#ifndef KC_DOMAIN_RULESET_H
#define KC_DOMAIN_RULESET_H

#include <stddef.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/err.h"
#include "rules/rules.h"

#define RULESET_MAX 256           /* rule sets in one table */
#define RULESET_DIR_FILES_MAX 256 /* .kcr files in a rules directory */
#define RULESET_RELOAD_MAX 1000   /* tables one process may publish */
#define RULESET_ERRORS_MAX 64     /* errors listed for one failed load */
#define RULESET_DIR_MAX 1024      /* bytes of a directory path */

/* Where a rule set of the table comes from. */
enum { RULESET_SRC_BUILTIN = 0, RULESET_SRC_DIR = 1 };

typedef struct RuleSetEntry {
    const RuleSet *rs;
    int source;       /* RULESET_SRC_* */
    const char *file; /* "rules/sme-2017.kcr" or "<dir>/sme-2017.kcr" */
    const char *text; /* the file's bytes, NUL-terminated */
    size_t len;
} RuleSetEntry;

typedef struct RuleSetTable {
    const RuleSetEntry *entries; /* built-ins in file order, then new ids
                                    of the directory in file-name order */
    const RuleSet *const *sets;  /* the same rule sets, NULL-terminated */
    int n;
    int generation;     /* 0: built-ins as first loaded; +1 per load */
    const char *dir;    /* directory of this table, "" when none */
    char loaded_at[32]; /* ISO-8601 UTC */
    const struct RuleSetTable *older; /* the table this one replaced (kept
                                         for ever; NULL for the first) */
} RuleSetTable;

/* The current table (never NULL; valid for the life of the process). */
const RuleSetTable *ruleset_current(void);

/* The table of the built-in rule sets alone (generation 0). */
const RuleSetTable *ruleset_builtins(void);

/* The rule sets of the current table (kept under this name for the
 * callers that predate the rules directory). *sets stays valid after a
 * reload: it is the table of the moment of the call. */
void ruleset_builtin(const RuleSet *const **sets, int *n);

/* The entry of table t with rule set id `id`, or NULL. */
const RuleSetEntry *ruleset_find(const RuleSetTable *t, const char *id);

/* The version of tier that applies on date d among sets[0..n): of those
 * whose effective period contains d, the one that took effect last (a
 * later version supersedes an earlier one of the same tier; equal starts:
 * the greater id). NULL when none applies. The ladder, the funnel and the
 * decision lists show this one; older versions on request. */
const RuleSet *ruleset_tier_current(const RuleSet *const *sets, int n,
                                    const char *tier, Date d);

/* "内置" or "目录". */
const char *ruleset_source_name(int source);

/* Load the built-ins overridden by the *.kcr files of dir (NULL or "":
 * the built-ins alone) and make that the current table and dir the
 * directory later reloads read. On failure nothing changes: errors (may
 * be NULL) gets one "file:line:col: message" line per error, and e
 * ERR_INVALID with a summary naming the first; ERR_CONFLICT once
 * RULESET_RELOAD_MAX tables were published. */
int ruleset_load_dir(const char *dir, Buf *errors, Err *e);

/* Read the directory of the current table again (as ruleset_load_dir);
 * ERR_INVALID when no directory was loaded. */
int ruleset_reload(Buf *errors, Err *e);

#endif
