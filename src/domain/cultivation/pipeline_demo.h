/* pipeline_demo.h - demo data of the 四个一批 pipeline and the service log:
 * one batch per tier (sme, hnte, chuying, dengling, lingjun) of year with
 * enterprises at every stage, and a year of visits, trainings and asks.
 * Written through the pipeline and service domain functions (each with
 * its audit entry) as actor a; the 认定 of the certified entries reads a
 * certificate that this demo puts into the qualifications register. */
#ifndef KC_DOMAIN_PIPELINE_PIPELINE_DEMO_H
#define KC_DOMAIN_PIPELINE_PIPELINE_DEMO_H

#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* Entries per batch (at most; fewer when the library is smaller). */
#define PIPELINE_DEMO_PER_BATCH 12

/* Generate; does nothing when the library holds no enterprise. */
int pipeline_demo_generate(Db *db, const Actor *a, uint64_t seed, int year,
                           Err *e);

#endif
