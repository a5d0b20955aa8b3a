/* pwpolicy.h - refusal of common and guessable passwords.
 *
 * A compact embedded blocklist: whole passwords that are common even
 * though they hold letters and digits ("password1", "qwerty123",
 * "a1b2c3d4"), and common base words ("password", "admin", "iloveyou",
 * "woaini" …) that are refused with a short prefix or suffix of digits and
 * symbols ("Admin@123", "password2024"). Comparison ignores case and folds
 * the usual substitutions (0→o, 1→i/l, 3→e, 4→a, 5→s, 7→t, @→a, $→s), so
 * "Passw0rd" and "P@ssword1" are refused too. Patterns: the user name (or
 * it reversed) inside the password, a password made only of keyboard or
 * alphabet runs and repeats ("qwer1234", "abc12345", "1qaz2wsx",
 * "aaaa1111"), two interleaved runs ("1q2w3e4r"), and a short unit
 * repeated ("ab12ab12"). Nothing here allocates. */
#ifndef KC_DOMAIN_PWPOLICY_H
#define KC_DOMAIN_PWPOLICY_H

#include "base/err.h"

/* 0 when pw is not common or guessable for this user (username may be
 * NULL); else ERR_INVALID naming field with a zh-CN message. Length and
 * character-class rules are user_check_password's. */
int pwpolicy_check(const char *pw, const char *username, const char *field,
                   Err *e);

#endif
