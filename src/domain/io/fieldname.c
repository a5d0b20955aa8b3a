/* fieldname.c - zh-CN names of record fields: the names of labels.c, then
 * the titles of the import/export columns and the yearly figures (see
 * fieldname.h). */
#include "domain/io/fieldname.h"

#include <pthread.h>
#include <string.h>

#include "domain/accounts/labels.h"
#include "domain/io/columns.h"
#include "domain/library/ent_year.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Column titles without their unit suffix, "销售收入（万元）" -> "销售收入",
 * cut once into a table of their own (the titles are static). */
#define FIELDNAME_TITLE_MAX 96
#define FIELDNAME_COLS_MAX 128
static struct {
    const char *key;
    char label[FIELDNAME_TITLE_MAX];
} label_cols[FIELDNAME_COLS_MAX];
static size_t label_n_cols;
static pthread_once_t label_once = PTHREAD_ONCE_INIT;

static void label_cols_add(const char *key, const char *title)
{
    const char *paren = strstr(title, "（");
    size_t n = paren ? (size_t)(paren - title) : strlen(title);

    if (label_n_cols >= FIELDNAME_COLS_MAX || n >= FIELDNAME_TITLE_MAX ||
        labels_field(key)) {
        return;
    }
    for (size_t i = 0; i < label_n_cols; i++) {
        if (strcmp(label_cols[i].key, key) == 0) {
            return; /* the first kind's title wins */
        }
    }
    label_cols[label_n_cols].key = key;
    memcpy(label_cols[label_n_cols].label, title, n);
    label_cols[label_n_cols].label[n] = '\0';
    label_n_cols++;
}

static void label_cols_fill(void)
{
    static const char *const kinds[] = {"enterprises", "figures", "ip",
                                        "facts"};

    for (size_t k = 0; k < N_OF(kinds); k++) {
        const ColumnKind *x = columns_kind_find(kinds[k]);

        for (size_t i = 0; x && i < x->n_cols; i++) {
            label_cols_add(x->cols[i].key, x->cols[i].title);
        }
    }
    for (int i = 0; i < ENT_YEAR_N_FIELDS; i++) {
        label_cols_add(ent_year_fields[i].name, ent_year_fields[i].label);
    }
}

const char *fieldname_of(const char *key)
{
    const char *l = labels_field(key);

    if (l || !key) {
        return l;
    }
    pthread_once(&label_once, label_cols_fill);
    for (size_t i = 0; i < label_n_cols; i++) {
        if (strcmp(label_cols[i].key, key) == 0) {
            return label_cols[i].label;
        }
    }
    return NULL;
}

const char *fieldname_or_key(const char *key)
{
    const char *l = fieldname_of(key);

    return l ? l : key;
}

json_t *fieldname_labels_json(void)
{
    json_t *all = labels_json();
    json_t *fields = json_object_get(all, "fields");

    pthread_once(&label_once, label_cols_fill);
    for (size_t i = 0; fields && i < label_n_cols; i++) {
        if (!json_object_get(fields, label_cols[i].key)) {
            json_object_set_new(fields, label_cols[i].key,
                                json_string(label_cols[i].label));
        }
    }
    return all;
}
