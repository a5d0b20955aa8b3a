#!/bin/sh
# lint.sh BUILD - clang-format, clang-tidy, cppcheck, the layering rule and
# the portable-SQL rule (tools/lint_sql.sh).
# Exits non-zero on the first category that fails; prints what is wrong.
set -u
BUILD=${1:-build}
sh tools/deps.sh lint || exit 1
status=0
files=$(find src tests tools -name '*.[ch]' | LC_ALL=C sort)

echo "lint: clang-format"
bad=""
for f in $files; do
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        bad="$bad $f"
    fi
done
if [ -n "$bad" ]; then
    echo "未按 .clang-format 排版（运行 make format）:$bad"
    status=1
fi

echo "lint: layering (cli, api -> domain -> rules, db -> base)"
# layer: what it may include from src/
check_layer() {
    layer=$1; allowed=$2
    for f in src/$layer/*.[ch] src/$layer/*/*.[ch]; do
        [ -f "$f" ] || continue
        grep -o '#include "[a-z_]*/' "$f" | sed 's/#include "//; s/\///' |
        while read -r inc; do
            case " $allowed " in
            *" $inc "*) ;;
            *) echo "$f: 层次违规：$layer 不得包含 $inc/"; echo x >>"$BUILD/.layer-bad" ;;
            esac
        done
    done
}
mkdir -p "$BUILD"; rm -f "$BUILD/.layer-bad"
check_layer base "base"
check_layer db "base db"
check_layer rules "base rules"
check_layer domain "base db rules domain"
check_layer api "base db rules domain api http"
check_layer http "base db rules domain http"
check_layer cli "base db rules domain api http cli"

echo "lint: domain capabilities (accounts -> library -> jobs -> io -> registers -> eligibility -> capabilities -> demo)"
# folder of src/domain: which folders of src/domain it may include. A
# capability folder not listed (a new one) may include the shared folders
# below demo and itself; a capability that reads another one says so here.
# qual (the qualifications register) and carrier's platform register feed
# rule inputs, so eligibility reads them. carrier.c in turn explains
# graduation with eligibility: the one cycle between folders (through
# different files), to be cut by moving platform.{c,h} below eligibility.
domain_allowed() {
    case $1 in
    accounts) echo "accounts" ;;
    library) echo "accounts library" ;;
    jobs) echo "accounts jobs" ;;
    io) echo "accounts library jobs io" ;;
    qual) echo "accounts library jobs io qual" ;;
    eligibility) echo "accounts library jobs io qual carrier eligibility" ;;
    carrier) echo "accounts library jobs io eligibility carrier" ;;
    cultivation) echo "accounts library jobs io qual eligibility cultivation" ;;
    plan) echo "accounts library jobs io qual eligibility market cultivation plan" ;;
    demo) echo "*" ;;
    *) echo "accounts library jobs io qual eligibility $1" ;;
    esac
}
for f in src/domain/*/*.[ch]; do
    [ -f "$f" ] || continue
    sub=$(echo "$f" | cut -d/ -f3)
    allowed=$(domain_allowed "$sub")
    [ "$allowed" = "*" ] && continue
    grep -o '#include "domain/[a-z_]*/' "$f" | sed 's/#include "domain\///; s/\///' |
    while read -r inc; do
        case "$f:$inc" in src/domain/accounts/labels.c:library) continue ;; esac
        case " $allowed " in
        *" $inc "*) ;;
        *) echo "$f: 层次违规：domain/$sub 不得包含 domain/$inc/"; echo x >>"$BUILD/.layer-bad" ;;
        esac
    done
done
for f in src/domain/*.[ch]; do
    [ -f "$f" ] || continue
    echo "$f: 层次违规：领域代码应放在 src/domain/<能力>/ 下"; echo x >>"$BUILD/.layer-bad"
done
[ -f "$BUILD/.layer-bad" ] && status=1

echo "lint: portable SQL (no SQLite-only SQL outside src/db)"
if ! sh tools/lint_sql.sh .; then
    status=1
fi

echo "lint: cppcheck"
if ! cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
    --inline-suppr --std=c11 -Isrc -I"$BUILD/gen" \
    --suppress=missingIncludeSystem src 2>&1; then
    status=1
fi

echo "lint: clang-tidy"
tidy_checks='-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-narrowing-conversions,-bugprone-branch-clone,-bugprone-assignment-in-if-condition,clang-analyzer-*,-clang-analyzer-security.insecureAPI.*,-clang-analyzer-optin.performance.Padding,-clang-analyzer-valist.Uninitialized,cert-err34-c'
cflags="-std=c11 -D_GNU_SOURCE -Isrc -I$BUILD/gen $(pkg-config --cflags libmicrohttpd sqlite3 libpq jansson libsodium libzip expat xlsxwriter zlib 2>/dev/null)"
out=$(clang-tidy --quiet -checks="$tidy_checks" --warnings-as-errors='*' \
    $(find src -name '*.c' | LC_ALL=C sort) -- $cflags 2>&1)
if echo "$out" | grep -q 'error:'; then
    echo "$out" | grep -A3 'error:' | head -80
    status=1
fi

if [ "$status" -eq 0 ]; then
    echo "lint: 全部通过"
fi
exit $status
