/* carrier_demo.h - demonstration data of the carrier capability, written
 * after the enterprises of the demo district (domain/demo.c calls it
 * once). Deterministic for a seed: carriers of every type with tenants
 * over six years (moves in, graduations, moves out), typed-in sheet
 * values, platforms (one revoked, an alliance with members), talent
 * counts, a few named talents and listing candidates. One transaction
 * with one audit entry ("carrier.demo"). A district of fewer than 100
 * enterprises gets none of these. */
#ifndef KC_DOMAIN_CARRIER_CARRIER_DEMO_H
#define KC_DOMAIN_CARRIER_CARRIER_DEMO_H

#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

int carrier_demo_generate(Db *db, const Actor *a, uint64_t seed, int last_year,
                          Err *e);

#endif
