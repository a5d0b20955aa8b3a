/* ruleset.c - the table of rule sets in force: built-ins overridden by a
 * rules directory, swapped whole on reload, never freed (see ruleset.h). */
#include "domain/eligibility/ruleset.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "rules/embedded.h"

/* Bytes read from one rule file: one more than the engine accepts, so the
 * parser reports the cap with the file's name. */
#define RULESET_FILE_READ_MAX ((size_t)1024 * 1024 + 1)

static pthread_once_t ruleset_once = PTHREAD_ONCE_INIT;
/* Guards ruleset_cur (readers take it for a pointer copy only). */
static pthread_mutex_t ruleset_cur_mu = PTHREAD_MUTEX_INITIALIZER;
/* Serialises loads (parsing happens outside ruleset_cur_mu). */
static pthread_mutex_t ruleset_load_mu = PTHREAD_MUTEX_INITIALIZER;
static const RuleSetTable *ruleset_cur;
static const RuleSetTable *ruleset_first; /* the built-ins */
static int ruleset_loads;                 /* tables published after the first */

/* A new table of n entries (copied) with its NULL-terminated sets array.
 * Never freed. */
static RuleSetTable *table_new(const RuleSetEntry *entries, int n,
                               const char *dir, int generation)
{
    RuleSetTable *t = xcalloc(1, sizeof *t);
    RuleSetEntry *ents = xcalloc((size_t)n + 1, sizeof *ents);
    const RuleSet **sets = xcalloc((size_t)n + 1, sizeof(RuleSet *));
    int i;

    for (i = 0; i < n; i++) {
        ents[i] = entries[i];
        sets[i] = entries[i].rs;
    }
    t->entries = ents;
    t->sets = (const RuleSet *const *)sets;
    t->n = n;
    t->generation = generation;
    t->dir = xstrdup(dir ? dir : "");
    clock_now_iso(t->loaded_at, 0);
    return t;
}

/* Parse the embedded rule files; runs once. A built-in that fails to
 * parse (`make check` prevents it) is logged and left out. */
static void ruleset_init(void)
{
    RuleSetEntry *ents = xcalloc((size_t)kc_n_rule_files + 1, sizeof *ents);
    int n = 0;
    int i;

    for (i = 0; i < kc_n_rule_files && n < RULESET_MAX; i++) {
        RuleSet *rs = NULL;
        char *text;
        size_t len = *kc_rule_files[i].len;
        Err e;

        err_clear(&e);
        if (rule_set_parse(kc_rule_files[i].path, *kc_rule_files[i].data, len,
                           &rs, &e) != 0) {
            log_error("built-in rule set %s: %s", kc_rule_files[i].path, e.msg);
            continue;
        }
        text = xmalloc(len + 1);
        memcpy(text, *kc_rule_files[i].data, len);
        text[len] = '\0';
        ents[n].rs = rs;
        ents[n].source = RULESET_SRC_BUILTIN;
        ents[n].file = kc_rule_files[i].path;
        ents[n].text = text;
        ents[n].len = len;
        n++;
    }
    ruleset_first = table_new(ents, n, "", 0);
    ruleset_cur = ruleset_first;
    free(ents);
}

const RuleSetTable *ruleset_current(void)
{
    const RuleSetTable *t;

    pthread_once(&ruleset_once, ruleset_init);
    pthread_mutex_lock(&ruleset_cur_mu);
    t = ruleset_cur;
    pthread_mutex_unlock(&ruleset_cur_mu);
    return t;
}

const RuleSetTable *ruleset_builtins(void)
{
    pthread_once(&ruleset_once, ruleset_init);
    return ruleset_first;
}

void ruleset_builtin(const RuleSet *const **sets, int *n)
{
    const RuleSetTable *t = ruleset_current();

    *sets = t->sets;
    *n = t->n;
}

const RuleSetEntry *ruleset_find(const RuleSetTable *t, const char *id)
{
    int i;

    for (i = 0; id && i < t->n; i++) {
        if (strcmp(rule_set_id(t->entries[i].rs), id) == 0) {
            return &t->entries[i];
        }
    }
    return NULL;
}

const RuleSet *ruleset_tier_current(const RuleSet *const *sets, int n,
                                    const char *tier, Date d)
{
    const RuleSet *best = NULL;
    Date best_from = DATE_MIN;

    for (int i = 0; i < n; i++) {
        Date from, to;

        if (strcmp(rule_set_tier(sets[i]), tier) != 0) {
            continue;
        }
        rule_set_effective(sets[i], &from, &to);
        if (d < from || d > to) {
            continue;
        }
        /* the latest start wins; equal starts: the greater id, so the
         * choice never depends on the table's order */
        if (!best || from > best_from ||
            (from == best_from &&
             strcmp(rule_set_id(sets[i]), rule_set_id(best)) > 0)) {
            best = sets[i];
            best_from = from;
        }
    }
    return best;
}

const char *ruleset_source_name(int source)
{
    return source == RULESET_SRC_DIR ? "目录" : "内置";
}

/* ---- loading a directory ---------------------------------------------- */

typedef struct Loader {
    Buf *errors;
    int n_errors;
    char first[ERR_MSG_MAX];
} Loader;

/* Record one error line (the first RULESET_ERRORS_MAX are listed). */
static void loader_error(Loader *l, const char *msg)
{
    if (l->n_errors == 0) {
        snprintf(l->first, sizeof l->first, "%s", msg);
    }
    if (l->errors && l->n_errors < RULESET_ERRORS_MAX) {
        buf_appendf(l->errors, "%s\n", msg);
    }
    l->n_errors++;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read a whole file of at most RULESET_FILE_READ_MAX bytes into *data
 * (malloc'd, NUL-terminated). A message "path:1:1: ..." goes to msg on
 * failure. */
static int read_rule_file(const char *path, char **data, size_t *len, char *msg,
                          size_t msg_cap)
{
    FILE *f = fopen(path, "rb");
    char *p;
    size_t n;

    if (!f) {
        snprintf(msg, msg_cap, "%s:1:1: 无法读取文件：%s", path,
                 strerror(errno));
        return -1;
    }
    p = xmalloc(RULESET_FILE_READ_MAX + 1);
    n = fread(p, 1, RULESET_FILE_READ_MAX, f);
    if (ferror(f)) {
        snprintf(msg, msg_cap, "%s:1:1: 读取文件失败", path);
        fclose(f);
        free(p);
        return -1;
    }
    fclose(f);
    p[n] = '\0';
    *data = p;
    *len = n;
    return 0;
}

/* The *.kcr names of dir, sorted (hidden files skipped). Returns the
 * count or -1 with an error recorded; *names is malloc'd. */
static int list_dir(const char *dir, char ***names, Loader *l)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **v = NULL;
    int n = 0;
    char msg[ERR_MSG_MAX];

    *names = NULL;
    if (!d) {
        snprintf(msg, sizeof msg, "%s:1:1: 无法打开规则目录：%s", dir,
                 strerror(errno));
        loader_error(l, msg);
        return -1;
    }
    v = xcalloc(RULESET_DIR_FILES_MAX, sizeof *v);
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len <= 4 ||
            strcmp(de->d_name + len - 4, ".kcr") != 0) {
            continue;
        }
        if (n >= RULESET_DIR_FILES_MAX) {
            snprintf(msg, sizeof msg,
                     "%s:1:1: 规则目录中的 .kcr 文件超过 %d 个", dir,
                     RULESET_DIR_FILES_MAX);
            loader_error(l, msg);
            break;
        }
        v[n++] = xstrdup(de->d_name);
    }
    closedir(d);
    qsort(v, (size_t)n, sizeof v[0], cmp_name);
    *names = v;
    return n;
}

/* An entry of prev or an older table read from the same file with the
 * same bytes, or NULL: its parsed rule set and text are shared instead of
 * parsed again (so switching between versions costs no memory). */
static const RuleSetEntry *find_same(const RuleSetTable *prev, const char *file,
                                     const char *text, size_t len)
{
    const RuleSetTable *t;
    int i;

    for (t = prev; t; t = t->older) {
        for (i = 0; i < t->n; i++) {
            const RuleSetEntry *p = &t->entries[i];
            if (p->source == RULESET_SRC_DIR && p->len == len &&
                strcmp(p->file, file) == 0 && memcmp(p->text, text, len) == 0) {
                return p;
            }
        }
    }
    return NULL;
}

/* Parse the files of dir into dir_ents (rule sets new to this load are
 * also listed in fresh[] so a failed load can free them). Returns the
 * number of entries; errors are recorded in l. */
static int load_files(const char *dir, const RuleSetTable *prev,
                      RuleSetEntry *dir_ents, RuleSet **fresh, int *n_fresh,
                      Loader *l)
{
    char **names = NULL;
    int n_names = list_dir(dir, &names, l);
    int n = 0;
    int i;
    int j;

    for (i = 0; i < n_names; i++) {
        Buf path;
        char *file;
        char *text = NULL;
        size_t len = 0;
        const RuleSetEntry *same;
        RuleSet *rs = NULL;
        char msg[ERR_MSG_MAX];
        Err e;

        buf_init(&path, RULESET_DIR_MAX + 300);
        buf_appendf(&path, "%s/%s", dir, names[i]);
        file = buf_detach(&path, NULL);
        if (read_rule_file(file, &text, &len, msg, sizeof msg) != 0) {
            loader_error(l, msg);
            free(file);
            continue;
        }
        same = find_same(prev, file, text, len);
        if (same) {
            free(text);
            free(file);
            dir_ents[n++] = *same;
            continue;
        }
        err_clear(&e);
        if (rule_set_parse(file, text, len, &rs, &e) != 0) {
            loader_error(l, e.msg);
            free(text);
            free(file);
            continue;
        }
        fresh[(*n_fresh)++] = rs;
        dir_ents[n].rs = rs;
        dir_ents[n].source = RULESET_SRC_DIR;
        dir_ents[n].file = file;
        dir_ents[n].text = text;
        dir_ents[n].len = len;
        n++;
    }
    /* one rule set per id within the directory */
    for (i = 1; i < n; i++) {
        for (j = 0; j < i; j++) {
            if (strcmp(rule_set_id(dir_ents[i].rs),
                       rule_set_id(dir_ents[j].rs)) == 0) {
                char msg[ERR_MSG_MAX];
                snprintf(msg, sizeof msg,
                         "%s:1:1: 规则集编号 %s 与 %s 重复，同一编号只能有"
                         "一个文件",
                         dir_ents[i].file, rule_set_id(dir_ents[i].rs),
                         dir_ents[j].file);
                loader_error(l, msg);
                break;
            }
        }
    }
    for (i = 0; i < n_names; i++) {
        free(names[i]);
    }
    free(names);
    return n;
}

/* Does entry e belong to a failed load only (not shared with prev)? */
static int entry_is_fresh(const RuleSetEntry *e, RuleSet *const *fresh,
                          int n_fresh)
{
    int i;

    for (i = 0; i < n_fresh; i++) {
        if (e->rs == fresh[i]) {
            return 1;
        }
    }
    return 0;
}

int ruleset_load_dir(const char *dir, Buf *errors, Err *e)
{
    const RuleSetTable *prev;
    RuleSetEntry *dir_ents = NULL;
    RuleSetEntry *ents = NULL;
    unsigned char *used = NULL;
    RuleSet **fresh = NULL;
    RuleSetTable *t;
    int n_fresh = 0;
    int n_dir = 0;
    int n = 0;
    int i;
    int j;
    int rc = 0;
    Loader l;

    memset(&l, 0, sizeof l);
    l.errors = errors;
    if (!dir) {
        dir = "";
    }
    pthread_once(&ruleset_once, ruleset_init);
    pthread_mutex_lock(&ruleset_load_mu);
    prev = ruleset_current();
    if (strlen(dir) >= RULESET_DIR_MAX) {
        rc = err_set(e, ERR_INVALID, "rules_dir", "规则目录路径过长");
        goto out;
    }
    if (ruleset_loads >= RULESET_RELOAD_MAX) {
        rc = err_set(e, ERR_CONFLICT, "rules_dir",
                     "本进程已加载规则 %d 次，达到上限，请重启服务后再加载",
                     RULESET_RELOAD_MAX);
        goto out;
    }
    dir_ents = xcalloc(RULESET_DIR_FILES_MAX, sizeof *dir_ents);
    fresh = xcalloc(RULESET_DIR_FILES_MAX, sizeof(RuleSet *));
    if (*dir) {
        n_dir = load_files(dir, prev, dir_ents, fresh, &n_fresh, &l);
    }
    if (l.n_errors > 0) {
        if (l.errors && l.n_errors > RULESET_ERRORS_MAX) {
            buf_appendf(l.errors, "另有 %d 处错误未列出\n",
                        l.n_errors - RULESET_ERRORS_MAX);
        }
        rc = err_set(e, ERR_INVALID, "rules_dir",
                     "规则目录有 %d 处错误，未加载，仍使用原有规则：%s",
                     l.n_errors, l.first);
        goto out;
    }

    /* built-ins in their order, each replaced by the directory's rule set
     * of the same id; then the directory's new ids in file-name order */
    ents = xcalloc((size_t)ruleset_first->n + (size_t)n_dir + 1, sizeof *ents);
    used = xcalloc((size_t)n_dir + 1, 1);
    for (i = 0; i < ruleset_first->n; i++) {
        const char *id = rule_set_id(ruleset_first->entries[i].rs);
        ents[n] = ruleset_first->entries[i];
        for (j = 0; j < n_dir; j++) {
            if (strcmp(rule_set_id(dir_ents[j].rs), id) == 0) {
                ents[n] = dir_ents[j];
                used[j] = 1;
                break;
            }
        }
        n++;
    }
    for (j = 0; j < n_dir; j++) {
        if (!used[j]) {
            ents[n++] = dir_ents[j];
        }
    }
    if (n > RULESET_MAX) {
        rc = err_set(e, ERR_TOOBIG, "rules_dir",
                     "规则集共 %d 个，超过上限 %d，未加载", n, RULESET_MAX);
        goto out;
    }
    t = table_new(ents, n, dir, prev->generation + 1);
    t->older = prev;
    pthread_mutex_lock(&ruleset_cur_mu);
    ruleset_cur = t;
    pthread_mutex_unlock(&ruleset_cur_mu);
    ruleset_loads++;
    log_info("rules: table %d loaded (%d rule sets, %d from %s)", t->generation,
             n, n_dir, *dir ? dir : "-");
out:
    if (rc != 0) {
        for (i = 0; i < n_dir; i++) {
            if (entry_is_fresh(&dir_ents[i], fresh, n_fresh)) {
                free((char *)dir_ents[i].file);
                free((char *)dir_ents[i].text);
            }
        }
        for (i = 0; i < n_fresh; i++) {
            rule_set_free(fresh[i]);
        }
    }
    free(used);
    free(ents);
    free(dir_ents);
    free(fresh);
    pthread_mutex_unlock(&ruleset_load_mu);
    return rc;
}

int ruleset_reload(Buf *errors, Err *e)
{
    const char *dir = ruleset_current()->dir;

    if (!*dir) {
        return err_set(e, ERR_INVALID, "rules_dir",
                       "未配置规则目录（kechuang serve --rules-dir 或配置项 "
                       "rules_dir），没有可重新加载的规则");
    }
    return ruleset_load_dir(dir, errors, e);
}
