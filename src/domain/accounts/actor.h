/* actor.h - who is acting: the subject of every permission, scope and
 * audit decision. Filled by the dispatcher from the session or API token,
 * or by the command line (user "system", address "cli"). */
#ifndef KC_DOMAIN_ACTOR_H
#define KC_DOMAIN_ACTOR_H

#include <stdint.h>

/* Roles (stored as these numbers; names in role_name()). */
enum {
    ROLE_NONE = 0,
    ROLE_ADMIN = 1,  /* 系统管理员 */
    ROLE_STAFF = 2,  /* 科技局业务 */
    ROLE_LEADER = 3, /* 领导（只读） */
    ROLE_AGENT = 4,  /* 街道园区专员 */
    ROLE_DEPT = 5,   /* 责任单位 */
    ROLE__COUNT
};

/* Permissions a route requires; perm_allows() maps roles to them. */
enum {
    PERM_PUBLIC = 0, /* no authentication */
    PERM_LOGIN,      /* any authenticated user */
    PERM_READ,       /* read business data (every role) */
    PERM_WRITE,      /* write business data (not 领导) */
    PERM_MANAGE,     /* manage own API tokens (admin, staff) */
    PERM_AUDIT,      /* read the audit log (admin, staff, leader) */
    PERM_ADMIN,      /* users, organisation, system (admin only) */
    PERM__COUNT
};

#define ACTOR_NAME_MAX 64
#define ACTOR_PATH_MAX 256
#define ACTOR_ADDR_MAX 64

typedef struct Actor {
    int64_t user_id; /* 0 = anonymous; -1 = system (CLI) */
    char username[ACTOR_NAME_MAX];
    char display_name[ACTOR_NAME_MAX];
    int role;
    int64_t unit_id;
    char unit_path[ACTOR_PATH_MAX]; /* "/1/4/": the data scope */
    int64_t token_id;               /* API token used, else 0 */
    int64_t session_id;             /* session used, else 0 */
    char addr[ACTOR_ADDR_MAX];      /* remote address or "cli" */
    int must_change_password;       /* the user must set a new password */
} Actor;

/* Does role have permission perm? */
int perm_allows(int role, int perm);

/* zh-CN role name ("系统管理员" ...), and the stable code ("admin" ...). */
const char *role_name(int role);
const char *role_code(int role);
/* Role from its code; ROLE_NONE when unknown. */
int role_from_code(const char *code);

/* An actor for command-line work: user -1 "system", scope "/" (everything),
 * role admin, address "cli". */
void actor_init_system(Actor *a);

/* Is the unit with materialized path `path` inside the actor's scope? */
int actor_sees_path(const Actor *a, const char *path);

#endif
