/* lexer.c - tokens of the rule language (see lexer.h). */
#include "rules/lexer.h"

#include <stdio.h>
#include <string.h>

#include "base/date.h"

void lexer_init(Lexer *lx, const char *path, const char *src, size_t len)
{
    lx->path = path;
    lx->src = src;
    lx->len = len;
    lx->pos = 0;
    lx->line = 1;
    lx->col = 1;
}

static int peekc(const Lexer *lx, size_t k)
{
    return lx->pos + k < lx->len ? (unsigned char)lx->src[lx->pos + k] : -1;
}

/* Advance one byte; columns count characters (UTF-8 lead bytes). */
static void adv(Lexer *lx)
{
    unsigned char c = (unsigned char)lx->src[lx->pos++];
    if (c == '\n') {
        lx->line++;
        lx->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        lx->col++;
    }
}

static int starts(const Lexer *lx, const char *s)
{
    size_t n = strlen(s);
    return lx->pos + n <= lx->len && memcmp(lx->src + lx->pos, s, n) == 0;
}

static void adv_str(Lexer *lx, const char *s)
{
    for (size_t i = 0; s[i]; i++) {
        adv(lx);
    }
}

static int lex_error(const Lexer *lx, int line, int col, Err *e,
                     const char *msg)
{
    err_set(e, ERR_INVALID, NULL, "%s:%d:%d: %s", lx->path, line, col, msg);
    return ERR_INVALID;
}

static void skip_space(Lexer *lx)
{
    for (;;) {
        int c = peekc(lx, 0);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            adv(lx);
        } else if (c == '#') {
            while (peekc(lx, 0) != -1 && peekc(lx, 0) != '\n') {
                adv(lx);
            }
        } else if (starts(lx, "\xE3\x80\x80")) { /* U+3000 */
            adv_str(lx, "\xE3\x80\x80");
        } else {
            return;
        }
    }
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_ident_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* Number literal with optional unit suffix, or a date. */
static int lex_number(Lexer *lx, Token *t, Err *e)
{
    __int128 n = 0, d = 1;
    int digits = 0, ndec = 0;
    size_t start = lx->pos;

    while (is_digit(peekc(lx, 0))) {
        if (++digits > 18) {
            return lex_error(lx, t->line, t->col, e, "数字位数过多");
        }
        n = n * 10 + (peekc(lx, 0) - '0');
        adv(lx);
    }
    /* a date: exactly YYYY-MM-DD */
    if (lx->pos - start == 4 && peekc(lx, 0) == '-' && is_digit(peekc(lx, 1)) &&
        is_digit(peekc(lx, 2)) && peekc(lx, 3) == '-' &&
        is_digit(peekc(lx, 4)) && is_digit(peekc(lx, 5)) &&
        !is_digit(peekc(lx, 6))) {
        int y = (int)n;
        int m = (peekc(lx, 1) - '0') * 10 + (peekc(lx, 2) - '0');
        int dd = (peekc(lx, 4) - '0') * 10 + (peekc(lx, 5) - '0');
        Date dt;
        Err de;
        for (int i = 0; i < 6; i++) {
            adv(lx);
        }
        if (date_from_ymd(y, m, dd, &dt, NULL, &de) != 0) {
            return lex_error(lx, t->line, t->col, e, de.msg);
        }
        t->kind = TK_DATE;
        t->q.n = dt;
        t->q.d = 1;
        t->unit = UN_DATE;
        return 0;
    }
    if (peekc(lx, 0) == '.' && is_digit(peekc(lx, 1))) {
        adv(lx);
        while (is_digit(peekc(lx, 0))) {
            if (++digits > 18 || ++ndec > 8) {
                return lex_error(lx, t->line, t->col, e, "小数位数过多");
            }
            n = n * 10 + (peekc(lx, 0) - '0');
            d *= 10;
            adv(lx);
        }
    }
    t->unit = UN_NONE;
    if (peekc(lx, 0) == '%') {
        adv(lx);
        d *= 100;
        t->unit = UN_RATIO;
    } else if (starts(lx, "万") || starts(lx, "亿")) {
        n *= starts(lx, "万") ? 10000 : 100000000;
        adv_str(lx, "万");
        t->unit = UN_YUAN;
        if (starts(lx, "美元")) {
            adv_str(lx, "美元");
            t->unit = UN_USD;
        } else if (starts(lx, "元")) {
            adv_str(lx, "元");
        }
    } else if (starts(lx, "美元")) {
        adv_str(lx, "美元");
        t->unit = UN_USD;
    } else if (starts(lx, "元")) {
        adv_str(lx, "元");
        t->unit = UN_YUAN;
    } else if (starts(lx, "人")) {
        adv_str(lx, "人");
        t->unit = UN_PERSON;
    } else if (starts(lx, "项")) {
        adv_str(lx, "项");
        t->unit = UN_ITEM;
    } else if (starts(lx, "分")) {
        adv_str(lx, "分");
        t->unit = UN_SCORE;
    } else if (starts(lx, "年")) {
        adv_str(lx, "年");
        t->unit = UN_YEARS;
    } else if (starts(lx, "天")) {
        adv_str(lx, "天");
        t->unit = UN_DAYS;
    }
    if ((t->unit == UN_YUAN || t->unit == UN_USD) && n % d != 0) {
        return lex_error(lx, t->line, t->col, e,
                         "金额须精确到元（万元最多四位小数）");
    }
    if (t->unit == UN_YUAN || t->unit == UN_USD) {
        n /= d;
        d = 1;
    }
    t->kind = TK_NUM;
    t->q.n = n;
    t->q.d = d;
    return 0;
}

static int lex_string(Lexer *lx, Token *t, Err *e)
{
    adv(lx); /* opening quote */
    t->len = 0;
    for (;;) {
        int c = peekc(lx, 0);
        if (c == -1 || c == '\n') {
            return lex_error(lx, t->line, t->col, e, "字符串缺少结尾的引号");
        }
        if (c == '"') {
            adv(lx);
            break;
        }
        if (c == '\\') {
            int c2 = peekc(lx, 1);
            if (c2 != '"' && c2 != '\\' && c2 != 'n') {
                return lex_error(lx, lx->line, lx->col, e,
                                 "字符串中只能使用 \\\" \\\\ \\n 转义");
            }
            adv(lx);
            adv(lx);
            c = c2 == 'n' ? '\n' : c2;
        } else {
            adv(lx);
        }
        if (c == 0) {
            return lex_error(lx, t->line, t->col, e, "字符串中不能有 NUL 字符");
        }
        if (t->len >= RULES_MAX_STRING) {
            err_set(e, ERR_TOOBIG, NULL, "%s:%d:%d: 字符串过长", lx->path,
                    t->line, t->col);
            return ERR_TOOBIG;
        }
        t->text[t->len++] = (char)c;
    }
    t->text[t->len] = '\0';
    t->kind = TK_STRING;
    return 0;
}

int lexer_next(Lexer *lx, Token *t, Err *e)
{
    static const char *puncts[] = {
        "==", "!=", "<=", ">=", "..", "=>", "{", "}", "[", "]", "(", ")",
        ",",  ";",  ":",  ".",  "=",  "<",  ">", "+", "-", "*", "/", NULL};
    int c;

    skip_space(lx);
    t->line = lx->line;
    t->col = lx->col;
    t->len = 0;
    t->text[0] = '\0';
    t->unit = UN_NONE;
    t->q.n = 0;
    t->q.d = 1;
    c = peekc(lx, 0);
    if (c == -1) {
        t->kind = TK_EOF;
        return 0;
    }
    if (c == 0) {
        return lex_error(lx, t->line, t->col, e, "文件中不能有 NUL 字符");
    }
    if (is_digit(c)) {
        return lex_number(lx, t, e);
    }
    if (c == '"') {
        return lex_string(lx, t, e);
    }
    if (is_ident_start(c) || c >= 0x80) {
        int ascii = c < 0x80;
        while ((c = peekc(lx, 0)) != -1 &&
               (ascii ? (is_ident_start(c) || is_digit(c)) : c >= 0x80)) {
            if (t->len >= RULES_MAX_IDENT) {
                err_set(e, ERR_TOOBIG, NULL,
                        "%s:%d:%d: 名称过长（最多 %d 字节）", lx->path, t->line,
                        t->col, RULES_MAX_IDENT);
                return ERR_TOOBIG;
            }
            t->text[t->len++] = (char)c;
            adv(lx);
        }
        t->text[t->len] = '\0';
        t->kind = TK_IDENT;
        return 0;
    }
    for (int i = 0; puncts[i]; i++) {
        if (starts(lx, puncts[i])) {
            strcpy(t->text, puncts[i]);
            t->len = strlen(puncts[i]);
            adv_str(lx, puncts[i]);
            t->kind = TK_PUNCT;
            return 0;
        }
    }
    if (c >= 0x20 && c < 0x7f) {
        char msg[64];
        snprintf(msg, sizeof msg, "无法识别的字符 '%c'", c);
        return lex_error(lx, t->line, t->col, e, msg);
    }
    return lex_error(lx, t->line, t->col, e, "无法识别的控制字符");
}

int lexer_word(Lexer *lx, Token *t, Err *e)
{
    int c;

    skip_space(lx);
    t->line = lx->line;
    t->col = lx->col;
    t->len = 0;
    while ((c = peekc(lx, 0)) != -1 &&
           (is_ident_start(c) || is_digit(c) || c == '-' || c == '.')) {
        if (t->len >= RULES_MAX_IDENT) {
            err_set(e, ERR_TOOBIG, NULL, "%s:%d:%d: 名称过长", lx->path,
                    t->line, t->col);
            return ERR_TOOBIG;
        }
        t->text[t->len++] = (char)c;
        adv(lx);
    }
    t->text[t->len] = '\0';
    if (t->len == 0) {
        return lex_error(lx, t->line, t->col, e,
                         "应为规则集编号（字母、数字、- 和 .）");
    }
    t->kind = TK_IDENT;
    return 0;
}
