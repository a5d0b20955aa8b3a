/* ast.h - the compiled form of a rule set (internal to src/rules).
 *
 * A rule file is parsed once into this tree: names are resolved to field
 * ids, item indexes and year offsets, and every node carries its type and
 * unit, so evaluation never looks anything up by name. All nodes and
 * strings live in the RuleSet's arena and are freed with it.
 *
 * Numbers are exact rationals (Q) of __int128 with a positive denominator;
 * a numeric value is an interval [lo, hi] (equal for ordinary data; wider
 * for expert-judged scores). */
#ifndef KC_RULES_AST_H
#define KC_RULES_AST_H

#include <stdint.h>

#include "base/arena.h"
#include "rules/field.h"

typedef struct Q {
    __int128 n;
    __int128 d; /* > 0 */
} Q;

/* Units (and types) of expressions. */
enum {
    UN_NONE = 0, /* bare number: compatible with counts, scores, ratios */
    UN_YUAN,
    UN_USD,
    UN_PERSON,
    UN_ITEM,
    UN_SCORE,
    UN_RATIO,
    UN_YEARS,
    UN_DAYS,
    UN_DATE,
    UN_BOOL,
    UN__COUNT
};

enum {
    ND_NUM = 1, /* literal lo..hi */
    ND_BOOL,    /* literal yes/no: lo.n */
    ND_FIELD,   /* yearly input field fid at year offset yoff */
    ND_SCALAR,  /* scalar input field fid */
    ND_DERIVED, /* derived yearly field ref at yoff */
    ND_ITEM,    /* value of item ref */
    ND_YEAR,    /* the evaluation year + yoff, as a number */
    ND_ASOF,    /* the as-of date */
    ND_NEG,
    ND_ADD,
    ND_SUB,
    ND_MUL,
    ND_DIV,
    ND_CMP, /* op: CMP_* */
    ND_AND,
    ND_OR,
    ND_NOT,
    ND_SUM,    /* args[0] is a yearly ref; yoff..yoff2; op = SUMF_* */
    ND_GROWTH, /* args[0] yearly ref; yoff..yoff2 (3 years) */
    ND_MAX,
    ND_MIN,
    ND_ADD_YEARS,   /* args[0] date, args[1] number */
    ND_END_OF_YEAR, /* year yoff */
    ND_DAYS_BETWEEN,
    ND_BAND,  /* args[0] subject; arms */
    ND_CASES, /* arms with conditions */
};

enum { CMP_LT = 1, CMP_LE, CMP_GT, CMP_GE, CMP_EQ, CMP_NE };
/* sum(), sum_operating(), avg_operating(); sum_since() / avg_since() sum
 * from the year of establishment, sum_full() / avg_full() from the first
 * full year after it (the two readings of "实际经营期不满三年的按实际经营
 * 时间计算", neither marked for manual confirmation). */
enum {
    SUMF_ALL = 0,
    SUMF_OPERATING,
    SUMF_AVG_OPERATING,
    SUMF_SINCE,
    SUMF_FULL,
    SUMF_AVG_SINCE,
    SUMF_AVG_FULL
};
#define SUMF_IS_AVG(op)                                                        \
    ((op) == SUMF_AVG_OPERATING || (op) == SUMF_AVG_SINCE ||                   \
     (op) == SUMF_AVG_FULL)
/* a sum over fewer years than asked is marked TV_M */
#define SUMF_MARKS(op) ((op) == SUMF_OPERATING || (op) == SUMF_AVG_OPERATING)

/* First year offset (relative to the evaluation year) a sum over offsets
 * [a, b] adds, for an enterprise established in year ey whose first full
 * year is fy (ey, or ey + 1 when not established on 1 January). The full
 * reading falls back to the year of establishment when no full year lies
 * in the window. */
static inline int sumf_first(int op, int a, int b, int year, int ey, int fy)
{
    int first = a;
    if (op == SUMF_ALL) {
        return a;
    }
    if (ey - year > first) {
        first = ey - year;
    }
    if ((op == SUMF_FULL || op == SUMF_AVG_FULL) && fy - year > first &&
        fy - year <= b) {
        first = fy - year;
    }
    return first;
}

/* Operating years growth() counts in the window [a, a + 2]: growth()
 * (op SUMF_ALL) and growth_since() (SUMF_SINCE) from the year of
 * establishment ey, growth_full() (SUMF_FULL) from the first full year fy
 * (as sumf_first: the year of establishment when no full year lies in the
 * window). growth() marks fewer than three for manual confirmation; the
 * other two do not (the rule compares the readings itself). */
static inline int growth_years(int op, int a, int year, int ey, int fy)
{
    int first = sumf_first(op == SUMF_FULL ? SUMF_FULL : SUMF_SINCE, a, a + 2,
                           year, ey, fy);
    int years = a + 3 - first;
    return years < 0 ? 0 : years;
}

typedef struct Node Node;

/* One arm of a band table: interval [lo, hi] with open/closed ends
 * (has_lo = 0 means minus infinity) -> value; or for cases: cond -> value. */
typedef struct BandArm {
    int is_else;
    int has_lo, lo_incl, has_hi, hi_incl;
    Q lo, hi;
    Node *cond;  /* cases only; NULL for else */
    Node *value; /* literal number or range */
    int line, col;
} BandArm;

struct Node {
    int kind;
    int op;
    int unit;
    int line, col;
    Q lo, hi;         /* literals */
    int fid;          /* field id or derived/item index */
    const char *name; /* item / derived id (for printing) */
    int yoff;         /* year offset from the evaluation (or context) year */
    int yoff2;        /* end of a year range */
    Node *a, *b;      /* operands */
    BandArm *arms;
    int n_arms;
    int has_else;
    int height; /* levels a walk of n can recurse: its own subtree plus the
                   items and yearly definitions it refers to (parser.c caps
                   it at RULES_MAX_HEIGHT) */
};

enum {
    IT_LET = 1, /* a named value (shown when it has a label) */
    IT_CHECK,   /* a condition (criterion) */
    IT_ALL,
    IT_ANY,
    IT_SCORE,
    IT_EXPERT,
    IT_MANUAL,
};

typedef struct Grade {
    char *code;  /* "A" */
    char *label; /* "高" */
    Q lo, hi;
} Grade;

typedef struct Item {
    int kind;
    char *id;
    int auto_id; /* id generated for an unnamed group member */
    char *label;
    Node *expr; /* NULL for groups, expert and manual items */
    int parent; /* index of the enclosing group, -1 at top level */
    int depth;
    int has_max;
    Q max;
    Grade *grades;
    int n_grades;
    int unit;
    int line, col;
    int height; /* of expr, or 1 + the highest member of a group */
} Item;

typedef struct Derived {
    char *id;
    char *label;
    Node *expr; /* evaluated with the year context set */
    int unit;
    int height; /* of expr */
} Derived;

/* One input assignment of an embedded case. */
typedef struct CaseSet {
    int fid;  /* field id, or -1 for an expert grade */
    int year; /* absolute year for yearly fields */
    int64_t v;
    char *expert; /* expert item id */
    char *grade;  /* grade code, or NULL when v is a score */
    int line, col;
} CaseSet;

typedef struct CaseExpect {
    int item; /* item index, or -1 for the total */
    int is_outcome;
    int outcome;
    Q lo, hi;
    int line, col;
} CaseExpect;

typedef struct Case {
    char *name;
    int year;
    int has_asof;
    int32_t asof;
    CaseSet *sets;
    int n_sets;
    int verdict;
    CaseExpect *expects;
    int n_expects;
    int line;
} Case;

/* Header entries that may repeat. */
typedef struct RuleSetHeader {
    char *id, *name, *tier, *doc, *issuer, *region, *status;
    int32_t eff_from, eff_to; /* DATE_MIN / DATE_MAX when open */
    char **sources;
    int n_sources;
    char **assumes;
    int n_assumes;
} RuleSetHeader;

#define RULES_MAX_ITEMS 512
#define RULES_MAX_DERIVED 32
#define RULES_MAX_CASES 256
#define RULES_MAX_SETS 256
#define RULES_MAX_ARMS 32
#define RULES_MAX_DEPTH 48
/* Bounds on what recursive walks of the tree (eval.c, batch.c,
 * batch_fast.c, explain.c, rules.c) can be made to do by a rule file (see
 * docs/internals/rules.md): operands of one chain of + - * / and or,
 * height of any expression counted through the items and yearly
 * definitions it refers to, nodes of a whole rule set. */
#define RULES_MAX_OPERANDS 64
#define RULES_MAX_HEIGHT 128
#define RULES_MAX_NODES 20000
#define RULES_MAX_IDENT 64
#define RULES_MAX_STRING 2048
#define RULES_MAX_FILE ((size_t)1024 * 1024)
#define RULES_MAX_HEADER_LIST 32

typedef struct RuleSet RuleSet;
struct RuleSet {
    Arena arena;
    char *path;
    RuleSetHeader h;
    Item items[RULES_MAX_ITEMS];
    int n_items;
    Derived derived[RULES_MAX_DERIVED];
    int n_derived;
    Node *pass;
    Node *total;
    Case *cases;
    int n_cases;
    uint8_t hash[32];
    char hash_hex[65];
};

#endif
