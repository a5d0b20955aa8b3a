/* platform.h - innovation platforms (重点实验室, 工程技术研究中心, 企业技术
 * 中心, 新型研发机构, 院士工作站, 产业技术创新战略联盟 with its member
 * enterprises): level, host (an enterprise of the library or a named
 * institution), recognition date and document, status (valid / revoked /
 * merged, with its date).
 *
 * A platform counts on date D when recognized_on <= D and it is valid, or
 * was revoked / merged after D. The same host cannot hold two valid
 * platforms of the same kind at the same level (recognised twice). The
 * counts for plan indicators ("市级以上创新创业平台数") come from ONE
 * function, platform_count_on(), which also counts carriers with a level.
 * Uses: base, db, domain accounts, carrier (carrier.h). */
#ifndef KC_DOMAIN_CARRIER_PLATFORM_H
#define KC_DOMAIN_CARRIER_PLATFORM_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* Name of a platform kind / status code, or NULL. */
const char *platform_kind_name(const char *code);
const char *platform_status_name(const char *code);

typedef struct PlatformInput {
    const char *kind;
    const char *name;
    const char *level;
    int64_t host_enterprise_id; /* 0 = none */
    const char *host_name;
    int64_t unit_id;
    const char *recognized_on;
    const char *recognition_doc;
    const char *status;    /* NULL / "" = valid */
    const char *status_on; /* required for revoked / merged */
    int64_t merged_into;   /* merged: the platform it went into, 0 = none */
    const char *note;
} PlatformInput;

/* Create ("platform.create") / replace the fields of ("platform.update") a
 * platform. ERR_INVALID naming the field; ERR_CONFLICT naming level when
 * the host already has a valid platform of that kind and level. */
int platform_create(Db *db, const Actor *a, const PlatformInput *in,
                    int64_t *id_out, Err *e);
int platform_update(Db *db, const Actor *a, int64_t id, const PlatformInput *in,
                    Err *e);
/* platform_update that also says whether anything changed (*changed, may
 * be NULL; nothing changed: updated_at kept, no audit entry) and, inside a
 * transaction the caller opened (an import), neither commits nor rolls
 * back. */
int platform_update_ex(Db *db, const Actor *a, int64_t id,
                       const PlatformInput *in, int *changed, Err *e);

/* Platform id in a's scope with its members; ERR_NOTFOUND otherwise. */
int platform_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

typedef struct PlatformFilter {
    const char *kind;
    const char *level;
    const char *status;
    const char *q;
    const char *sort; /* name, kind, level, recognized_on */
} PlatformFilter;

int platform_list(Db *db, const Actor *a, const PlatformFilter *f,
                  int64_t offset, int64_t limit, json_t **items, int64_t *total,
                  Err *e);

/* Add member enterprise enterprise_id (in the library) to alliance id
 * ("platform.member_add"); only 产业技术创新战略联盟 have members. */
int platform_member_add(Db *db, const Actor *a, int64_t id,
                        int64_t enterprise_id, const char *joined_on, Err *e);

/* Counts on date as_of ("YYYY-MM-DD") of the platforms and leveled
 * carriers in a's scope: {as_of, platforms: {kind: {national, municipal,
 * district, total}}, carriers: {type: {...}}, levels: {national,
 * municipal, district}, municipal_and_above, alliance_members}. The one
 * function behind the plan indicators. */
int platform_count_on(Db *db, const Actor *a, const char *as_of, json_t **out,
                      Err *e);

/* Does enterprise id hold on date as_of a valid platform of level
 * municipal or above that is a recognised R&D institution (重点实验室,
 * 工程技术研究中心, 企业技术中心, 新型研发机构)? *name gets the first one's
 * "名称（级别）" (caller frees; NULL when none). For rule input rd_institution.
 */
int platform_rd_institution(Db *db, int64_t enterprise_id, const char *as_of,
                            int *has, char **name, Err *e);

/* The recognised R&D platforms (重点实验室, 工程技术研究中心, 企业技术中心,
 * 新型研发机构) of an enterprise as rows shaped like those of
 * enterprise_facts (kind, subkind, level, rank, amount, title,
 * counterparty, occurred_on, valid_from, valid_to), so that the one
 * library-to-rule-input mapping (elig_fact_row, domain/elig_map.h) reads
 * them as facts of kind rd_institution: rule inputs rd_institution
 * (省部级以上; a 市级 platform of Tianjin, a province-level city, counts
 * as 省部级) and rd_institution_any derive from the register. A revoked or
 * merged platform is valid up to and including status_on. Used after
 * "SELECT [enterprise column,] " with "FROM platforms WHERE ...". */
#define PLATFORM_RD_FACT_COLS                                                  \
    "'rd_institution', NULL, CASE level WHEN 'municipal' THEN 'provincial' "   \
    "ELSE level END, NULL, NULL, name, NULL, recognized_on, recognized_on, "   \
    "status_on"
#define PLATFORM_RD_FACT_WHERE                                                 \
    "host_enterprise_id IS NOT NULL AND kind IN ('key_lab', 'eng_center', "    \
    "'ent_tech_center', 'new_rd')"

/* Code tables (kinds, statuses) for carrier_reference_json. */
json_t *platform_reference_json(void);

#endif
