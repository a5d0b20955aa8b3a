/* qual_demo.h - the qualifications register of `kechuang demo`.
 *
 * Called once by demo_generate after the enterprises are written: 高企
 * certificates issued over past years for the enterprises that declare
 * one (same period; some with an earlier certificate, basis 再认定), a few
 * expired, revoked and moved-out certificates of enterprises that declare
 * none, one declared certificate recorded as revoked (so the demo shows a
 * declaration conflict), 天津市高企 for those declaring one, 科小 入库登记
 * 编号 per year, 雏鹰 / 瞪羚 / 领军培育, 创新型 / 专精特新 and the 高企培育库.
 * Deterministic for a seed. One transaction, covered by the run's one
 * "demo.generate" audit entry (as the enterprise batches are). */
#ifndef KC_DOMAIN_QUAL_QUAL_DEMO_H
#define KC_DOMAIN_QUAL_QUAL_DEMO_H

#include <stdint.h>

#include "base/date.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* last_day: December 31st of the demo's latest year with figures. */
int qual_demo_generate(Db *db, const Actor *a, uint64_t seed, Date last_day,
                       Err *e);

#endif
