/* lexer.h - tokens of the rule language (see docs/rules.md).
 *
 * The lexer works on a NUL-terminated UTF-8 buffer it does not own and
 * tracks line and column (columns count characters, from 1). Literals are
 * converted exactly: "42.3万" is 423000 元, "2.5%" is 1/40, "2017-05-03" is a
 * date. Errors are reported as "file:line:col: message" in zh-CN. */
#ifndef KC_RULES_LEXER_H
#define KC_RULES_LEXER_H

#include <stddef.h>

#include "base/err.h"
#include "rules/ast.h"

enum {
    TK_EOF = 0,
    TK_IDENT,  /* ASCII name or a run of non-ASCII characters */
    TK_STRING, /* "..." without the quotes, escapes \" \\ \n */
    TK_NUM,    /* number with unit (UN_*) in q */
    TK_DATE,   /* date literal: q.n = days since 1970-01-01 */
    TK_PUNCT,  /* text holds the operator: { } [ ] ( ) , ; : . = == != < <= >
                  >= + - * / .. => */
};

typedef struct Token {
    int kind;
    int line, col;
    char text[RULES_MAX_STRING + 1];
    size_t len;
    Q q;
    int unit;
} Token;

typedef struct Lexer {
    const char *path;
    const char *src;
    size_t len, pos;
    int line, col;
} Lexer;

void lexer_init(Lexer *lx, const char *path, const char *src, size_t len);
/* Read the next token into t. Returns 0 or ERR_INVALID / ERR_TOOBIG with
 * the position in e. */
int lexer_next(Lexer *lx, Token *t, Err *e);
/* Read a bare word up to white space (ids such as "sme-2017"). */
int lexer_word(Lexer *lx, Token *t, Err *e);

#endif
