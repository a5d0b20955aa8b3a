/* pwpolicy.c - the blocklist of common passwords and the guessable
 * patterns (see pwpolicy.h). The lists are written out here from general
 * knowledge of leaked-password rankings; base words combine with the digit
 * and symbol affixes checked in pwpolicy_base, so a few hundred words cover
 * some thousands of passwords. */
#include "domain/accounts/pwpolicy.h"

#include <string.h>

#define PWP_MAX 128 /* bytes compared; USER_PASSWORD_MAX */

/* Whole passwords (lower case) that pass the letters-and-digits rule and
 * are not caught by a base word or a pattern below. */
static const char *const pwp_exact[] = {
    "a1b2c3d4",    "a1b2c3d4e5",  "a123456",      "a1234567",    "a12345678",
    "a123456789",  "aa123456",    "aa12345678",   "aaa123456",   "abc123",
    "abc123456",   "abc1234567",  "abcd1234",     "abcd12345",   "abcd123456",
    "abc@123",     "1qaz2wsx",    "1q2w3e4r",     "1q2w3e4r5t",  "q1w2e3r4",
    "q1w2e3r4t5",  "zaq12wsx",    "zaq1xsw2",     "1qazxsw2",    "qazwsx123",
    "qwe123",      "qwe123456",   "qwe123qwe",    "qweasd123",   "qweasdzxc",
    "123qwe",      "123qweasd",   "123qweasdzxc", "123abc",      "123456a",
    "123456ab",    "123456abc",   "12345abc",     "1234abcd",    "1234qwer",
    "qwer1234",    "asdf1234",    "zxcv1234",     "asd123",      "asd123456",
    "zxc123",      "zxc123456",   "q123456",      "q1234567",    "q12345678",
    "qq123456",    "qq5201314",   "w123456",      "z123456",     "a5201314",
    "woaini1314",  "woaini520",   "woaini123",    "woaini521",   "5201314a",
    "1314520a",    "wo5201314",   "aini1314",     "iloveyou1",   "iloveyou2",
    "iloveyou123", "trustno1",    "1password",    "password1",   "password12",
    "password123", "passw0rd",    "p@ssw0rd",     "p@ssword1",   "pa55word",
    "pa55w0rd",    "admin123",    "admin888",     "admin666",    "admin1234",
    "admin12345",  "admin123456", "admin@123",    "root123",     "root1234",
    "root123456",  "test123",     "test1234",     "test12345",   "test123456",
    "user123",     "user1234",    "guest123",     "demo123",     "demo1234",
    "abcde12345",  "a1s2d3f4",    "1a2b3c4d",     "z1x2c3v4",    "qazwsxedc123",
    "li123456",    "wang123456",  "zhang123456",  "liu123456",   "chen123456",
    "yang123456",  "huang123456", "zhao123456",   "wu123456",    "zhou123456",
    "xu123456",    "sun123456",   "ma123456",     "zhu123456",   "hu123456",
    "lin123456",   "guo123456",   "he123456",     "gao123456",   "luo123456",
    "tj123456",    "tianjin123",  "beijing2008",  "china123",    "china2008",
    "abc888888",   "a888888",     "a666666",      "a111111",     "a000000",
    "aa111111",    "qq111111",    "aaa111",       "abc666",      "abc888",
    "love1314",    "love520",     "ilove520",     "kechuang123", "keji123456",
    "monkey1",     "dragon1",     "master1",      "shadow1",     "michael1",
    "football1",   "baseball1",   "superman1",    "batman1",     "starwars1",
    "charlie1",    "jordan23",    "qwerty1",      "qwerty12",    "qwerty123",
    "qwerty1234",  "qwertyui1",   "1qwerty",      "welcome1",    "welcome123",
    "letmein1",    "letmein123",  "changeme1",    "changeme123", "secret1",
    "secret123",   "default1",    "login123",     "access14",    "hello123",
    "hello1234",   "sunshine1",   "princess1",    "computer1",   "internet1",
    "1234567a",    "12345678a",   "123456789a",   "a1234",       "abc12345678",
    "xiaoming123", "wangwei123",  "zhangwei123",  "liwei123",    "abc1234",
    "aa123123",    "a123123",     "abc123123",    "qq123123",    "a147258369",
    "a159357",     "a147258",     "a789456",      "a321321",     "a7758521",
    "7758521a",    "woaini7758",  "s123456",      "x123456",     "l123456",
    "m123456",     "c123456",     "d123456",      "j123456",     "h123456",
};

/* Base words (letters, lower case, substitutions folded), refused alone
 * or with a short affix of digits and symbols. */
static const char *const pwp_base[] = {
    "password",      "passwort",   "passwd",    "pass",       "pwd",
    "motdepasse",    "contrasena", "mima",      "mimamima",   "admin",
    "administrator", "admins",     "root",      "super",      "superuser",
    "sysadmin",      "system",     "manager",   "master",     "user",
    "users",         "guest",      "test",      "tester",     "testing",
    "demo",          "sample",     "temp",      "default",    "changeme",
    "login",         "logon",      "welcome",   "letmein",    "secret",
    "private",       "access",     "server",    "oracle",     "mysql",
    "database",      "sql",        "web",       "website",    "office",
    "work",          "company",    "qwerty",    "qwertyui",   "qwertyuiop",
    "qwert",         "qwer",       "qwe",       "asdf",       "asdfg",
    "asdfgh",        "asdfghjkl",  "asd",       "zxc",        "zxcv",
    "zxcvb",         "zxcvbn",     "zxcvbnm",   "qaz",        "qazwsx",
    "qazwsxedc",     "wsx",        "qweasd",    "qweasdzxc",  "asdzxc",
    "abc",           "abcd",       "abcde",     "abcdef",     "abcdefg",
    "abcdefgh",      "aaa",        "aaaa",      "aaaaaa",     "xxx",
    "zzz",           "iloveyou",   "iloveu",    "ilove",      "love",
    "lover",         "loveme",     "lovely",    "woaini",     "woaiwojia",
    "aini",          "wuai",       "monkey",    "dragon",     "sunshine",
    "princess",      "football",   "baseball",  "basketball", "soccer",
    "hockey",        "superman",   "batman",    "spiderman",  "shadow",
    "michael",       "jordan",     "jennifer",  "hunter",     "killer",
    "trustno",       "ninja",      "mustang",   "starwars",   "pokemon",
    "naruto",        "whatever",   "freedom",   "flower",     "hello",
    "hellokitty",    "charlie",    "computer",  "internet",   "google",
    "baidu",         "taobao",     "alibaba",   "tencent",    "wechat",
    "weixin",        "qq",         "apple",     "iphone",     "samsung",
    "huawei",        "xiaomi",     "summer",    "winter",     "spring",
    "autumn",        "happy",      "lucky",     "angel",      "baby",
    "cookie",        "cheese",     "chocolate", "banana",     "orange",
    "purple",        "silver",     "golden",    "diamond",    "tiger",
    "lion",          "eagle",      "phoenix",   "maggie",     "ginger",
    "pepper",        "buster",     "thomas",    "robert",     "daniel",
    "andrew",        "joshua",     "george",    "michelle",   "jessica",
    "ashley",        "amanda",     "nicole",    "matthew",    "anthony",
    "harley",        "hannah",     "fuckyou",   "fuck",       "sexy",
    "china",         "zhongguo",   "beijing",   "tianjin",    "shanghai",
    "shenzhen",      "guangzhou",  "kechuang",  "keji",       "kejiju",
    "kjj",           "tjkj",       "zhang",     "wang",       "li",
    "liu",           "chen",       "yang",      "huang",      "zhao",
    "zhou",          "wu",         "xu",        "sun",        "ma",
    "zhu",           "hu",         "guo",       "he",         "lin",
    "gao",           "luo",        "zhangwei",  "wangwei",    "liwei",
    "wangfang",      "liuyang",    "xiaoming",  "nihao",      "aiai",
    "haha",          "hehe",       "xixi",      "miss",       "mylove",
    "family",        "friend",     "friends",   "forever",    "jesus",
    "god",           "heaven",     "money",     "dollar",     "power",
    "matrix",        "hacker",     "linux",     "windows",    "ubuntu",
    "java",          "python",     "code",      "coder",      "qazxsw",
    "zaq",           "zaqxsw",     "abcabc",    "qweqwe",     "asdasd",
    "zxczxc",        "chinese",    "student",   "teacher",    "police",
    "doctor",        "soldier",
};

/* Keyboard rows and columns and the alphabet and digits: a password made
 * only of stretches of these (either direction) is refused. */
static const char *const pwp_runs[] = {
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "!@#$%^&*()_+",
    "1234567890-=",
};

#define PWP_N(a) (sizeof(a) / sizeof((a)[0]))

static int pwp_in(const char *const *list, size_t n, const char *s)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(list[i], s) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Is s[0..len) inside one of the runs, forward or backward, or one
 * character repeated? */
static int pwp_is_run(const char *s, size_t len)
{
    char rev[PWP_MAX + 1];
    size_t i, k;
    int same = 1;

    for (i = 1; i < len; i++) {
        if (s[i] != s[0]) {
            same = 0;
        }
    }
    if (same) {
        return 1;
    }
    for (i = 0; i < len; i++) {
        rev[i] = s[len - 1 - i];
    }
    rev[len] = '\0';
    for (k = 0; k < PWP_N(pwp_runs); k++) {
        const char *r = pwp_runs[k];
        size_t rn = strlen(r);
        size_t p;
        for (p = 0; p + len <= rn; p++) {
            if (memcmp(r + p, s, len) == 0 || memcmp(r + p, rev, len) == 0) {
                return 1;
            }
        }
    }
    return 0;
}

/* Is all of s[0..n) covered by stretches of 3 or more characters that are
 * runs (longest first, from the left)? */
static int pwp_all_runs(const char *s, size_t n)
{
    size_t i = 0;

    if (n < 3) {
        return 0;
    }
    while (i < n) {
        size_t len = n - i;
        while (len >= 3 && !pwp_is_run(s + i, len)) {
            len--;
        }
        if (len < 3) {
            return 0;
        }
        i += len;
    }
    return 1;
}

/* Fold the usual substitutions of s (lower case) into out; one_as is what
 * '1' stands for ('i' or 'l'). */
static void pwp_fold(const char *s, size_t n, char one_as, char *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = s[i];
        switch (c) {
        case '0':
            c = 'o';
            break;
        case '1':
        case '!':
        case '|':
            c = one_as;
            break;
        case '3':
            c = 'e';
            break;
        case '4':
        case '@':
            c = 'a';
            break;
        case '5':
        case '$':
            c = 's';
            break;
        case '7':
        case '+':
            c = 't';
            break;
        default:
            break;
        }
        out[i] = c;
    }
    out[n] = '\0';
}

static int pwp_affix_char(char c)
{
    return !((c >= 'a' && c <= 'z') || (unsigned char)c >= 0x80);
}

/* A base word with at most 4 characters of digits and symbols around it,
 * or with a year (19xx/20xx, optionally after one symbol). */
static int pwp_base_word(const char *s, size_t n)
{
    char core[PWP_MAX + 1];
    size_t a = 0, b = n;
    size_t suffix;

    while (a < n && pwp_affix_char(s[a])) {
        a++;
    }
    while (b > a && pwp_affix_char(s[b - 1])) {
        b--;
    }
    if (a == b) {
        return 0;
    }
    suffix = n - b;
    if (a + suffix > 4) {
        const char *y = s + n - 4;
        int year =
            suffix >= 4 && suffix <= 5 && a == 0 &&
            ((y[0] == '1' && y[1] == '9') || (y[0] == '2' && y[1] == '0')) &&
            y[2] >= '0' && y[2] <= '9' && y[3] >= '0' && y[3] <= '9';
        if (!year) {
            return 0;
        }
    }
    pwp_fold(s + a, b - a, 'i', core);
    if (pwp_in(pwp_base, PWP_N(pwp_base), core)) {
        return 1;
    }
    pwp_fold(s + a, b - a, 'l', core);
    return pwp_in(pwp_base, PWP_N(pwp_base), core);
}

/* Is s a shorter unit repeated, or made of fewer than 4 distinct
 * characters? */
static int pwp_repeated(const char *s, size_t n)
{
    size_t u, i;
    int distinct = 0;
    unsigned char seen[256];

    memset(seen, 0, sizeof seen);
    for (i = 0; i < n; i++) {
        if (!seen[(unsigned char)s[i]]) {
            seen[(unsigned char)s[i]] = 1;
            distinct++;
        }
    }
    if (distinct < 4) {
        return 1;
    }
    for (u = 1; u <= n / 2; u++) {
        if (n % u) {
            continue;
        }
        for (i = u; i < n && s[i] == s[i - u]; i++) {
        }
        if (i == n) {
            return 1;
        }
    }
    return 0;
}

/* Two runs interleaved ("a1b2c3d4", "1q2w3e4r"). */
static int pwp_interleaved(const char *s, size_t n)
{
    char odd[PWP_MAX / 2 + 1], even[PWP_MAX / 2 + 1];
    size_t i, no = 0, ne = 0;

    if (n < 6) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (i % 2) {
            odd[no++] = s[i];
        } else {
            even[ne++] = s[i];
        }
    }
    return pwp_is_run(even, ne) && pwp_is_run(odd, no);
}

int pwpolicy_check(const char *pw, const char *username, const char *field,
                   Err *e)
{
    char low[PWP_MAX + 1];
    char user[PWP_MAX + 1];
    size_t n = pw ? strlen(pw) : 0;
    size_t un = username ? strlen(username) : 0;
    size_t i;

    if (n == 0 || n > PWP_MAX) {
        return 0; /* length is user_check_password's */
    }
    for (i = 0; i < n; i++) {
        char c = pw[i];
        low[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    low[n] = '\0';
    if (un >= 3 && un <= PWP_MAX) {
        for (i = 0; i < un; i++) {
            char c = username[i];
            user[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        }
        user[un] = '\0';
        if (strstr(low, user)) {
            return err_set(e, ERR_INVALID, field, "密码不能包含用户名");
        }
        for (i = 0; i < un / 2; i++) {
            char t = user[i];
            user[i] = user[un - 1 - i];
            user[un - 1 - i] = t;
        }
        if (strstr(low, user)) {
            return err_set(e, ERR_INVALID, field, "密码不能包含倒写的用户名");
        }
    }
    if (pwp_in(pwp_exact, PWP_N(pwp_exact), low) || pwp_base_word(low, n)) {
        return err_set(e, ERR_INVALID, field,
                       "密码过于常见，很容易被猜中，请换一个");
    }
    if (pwp_repeated(low, n)) {
        return err_set(e, ERR_INVALID, field,
                       "密码不能由重复的字符或片段组成（如 aaaa1111、"
                       "ab12ab12）");
    }
    if (pwp_all_runs(low, n) || pwp_interleaved(low, n)) {
        return err_set(e, ERR_INVALID, field,
                       "密码不能只由键盘或字母、数字的连续序列组成（如 "
                       "qwer1234、abc12345、1q2w3e4r）");
    }
    return 0;
}
