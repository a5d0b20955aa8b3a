/* actor.c - roles, permissions and data scope of an acting user. */
#include "domain/accounts/actor.h"

#include <stdio.h>
#include <string.h>

/* Which roles hold which permission. PERM_PUBLIC and PERM_LOGIN are handled
 * in perm_allows itself. */
static const unsigned char perm_matrix[ROLE__COUNT][PERM__COUNT] = {
    [ROLE_ADMIN] = {[PERM_READ] = 1,
                    [PERM_WRITE] = 1,
                    [PERM_MANAGE] = 1,
                    [PERM_AUDIT] = 1,
                    [PERM_ADMIN] = 1},
    [ROLE_STAFF] = {[PERM_READ] = 1,
                    [PERM_WRITE] = 1,
                    [PERM_MANAGE] = 1,
                    [PERM_AUDIT] = 1},
    [ROLE_LEADER] = {[PERM_READ] = 1, [PERM_AUDIT] = 1},
    [ROLE_AGENT] = {[PERM_READ] = 1, [PERM_WRITE] = 1},
    [ROLE_DEPT] = {[PERM_READ] = 1, [PERM_WRITE] = 1},
};

int perm_allows(int role, int perm)
{
    if (perm == PERM_PUBLIC) {
        return 1;
    }
    if (role <= ROLE_NONE || role >= ROLE__COUNT || perm < 0 ||
        perm >= PERM__COUNT) {
        return 0;
    }
    if (perm == PERM_LOGIN) {
        return 1;
    }
    return perm_matrix[role][perm];
}

static const struct {
    const char *code;
    const char *name;
} role_names[ROLE__COUNT] = {
    [ROLE_NONE] = {"none", "无"},
    [ROLE_ADMIN] = {"admin", "系统管理员"},
    [ROLE_STAFF] = {"staff", "科技局业务"},
    [ROLE_LEADER] = {"leader", "领导（只读）"},
    [ROLE_AGENT] = {"agent", "街道园区专员"},
    [ROLE_DEPT] = {"dept", "责任单位"},
};

const char *role_name(int role)
{
    if (role < 0 || role >= ROLE__COUNT) {
        return role_names[ROLE_NONE].name;
    }
    return role_names[role].name;
}

const char *role_code(int role)
{
    if (role < 0 || role >= ROLE__COUNT) {
        return role_names[ROLE_NONE].code;
    }
    return role_names[role].code;
}

int role_from_code(const char *code)
{
    int i;

    if (!code) {
        return ROLE_NONE;
    }
    for (i = 1; i < ROLE__COUNT; i++) {
        if (strcmp(code, role_names[i].code) == 0) {
            return i;
        }
    }
    return ROLE_NONE;
}

void actor_init_system(Actor *a)
{
    memset(a, 0, sizeof *a);
    a->user_id = -1;
    snprintf(a->username, sizeof a->username, "system");
    snprintf(a->display_name, sizeof a->display_name, "命令行");
    a->role = ROLE_ADMIN;
    snprintf(a->unit_path, sizeof a->unit_path, "/");
    snprintf(a->addr, sizeof a->addr, "cli");
}

int actor_sees_path(const Actor *a, const char *path)
{
    size_t n = strlen(a->unit_path);

    if (!path || n == 0) {
        return 0;
    }
    return strncmp(path, a->unit_path, n) == 0;
}
