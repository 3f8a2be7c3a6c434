/* SPDX-License-Identifier: MIT */
/*
 * Wholesale roaming billing: TAP-like records and their settlement.
 *
 * Money is integer micro-euro (ueur) everywhere, so sums are exact and the
 * settlement equals the sum of the records to the last micro-euro. Volumes
 * are decimal: 1 kB = 1000 bytes, 1 MB = 1000 kB, as in wholesale rates.
 *   charged_kb = max(ceil(bytes / 1000), min_kb)      per session or part
 *   charge     = charged_kb * rate_ueur_per_mb / 1000  rounded half up
 * A per-IMSI access fee is due once per SIM, visited network and calendar
 * month, the month taken in the visited network's local time (its UTC
 * offset, bsim_month_index() of civil.h), as the visited network writes
 * the record.
 */
#ifndef BSIM_MODEL_BILLING_H
#define BSIM_MODEL_BILLING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Record kinds (flag_values of /billing/records/kind). */
enum bsim__tap_kind {
	BSIM_TAP_DATA = 0,
	BSIM_TAP_SMS = 1,
	BSIM_TAP_ACCESS_FEE = 2,
};

/* Kilobytes charged for a session of `bytes`: rounded up, at least min. */
uint64_t bsim__charged_kb(uint64_t bytes, uint32_t min_kb);

/* Micro-euro for charged_kb at rate_ueur_per_mb, rounded half up. */
int64_t bsim__charge_ueur(uint64_t charged_kb, int64_t rate_ueur_per_mb);

/*
 * The (SIM, visited network, month) triples whose access fee is already
 * charged. Each SIM keeps its latest triple itself (a network and the
 * month's low 8 bits: 3 bytes of the device); the set holds only the
 * earlier ones it may still meet, on other networks, in an open-addressing
 * table of 64-bit keys grown at 50% load. Most devices pay fees on one
 * network only and never enter the table.
 */
struct bsim__fee_set {
	uint64_t *keys; /* 0 marks an empty slot (keys are stored + 1). */
	size_t cap, n;
};

/* A SIM's latest charged triple: no network yet. */
#define BSIM__FEE_NONE UINT16_MAX

void bsim__fee_set_finish(struct bsim__fee_set *s);

/*
 * True when the fee for (device, visited_op, month) is due now, i.e. not
 * yet charged; it is then remembered. *last_op and *last_month are the
 * device's latest charged triple (*last_op BSIM__FEE_NONE at first),
 * updated here. device < 2^32, visited_op < 2^16 - 1, month in [0, 2^16);
 * a device's months per network never decrease, and the latest triple's
 * month is at most one above `month` (time zones) and less than 255 below.
 */
bool bsim__fee_due(struct bsim__fee_set *s, uint32_t device,
		   uint16_t visited_op, int64_t month, uint16_t *last_op,
		   uint8_t *last_month);

/*
 * Settlement between n operators: gross[h * n + v] is what home h owes
 * visited v, the sum of the records. net_pair[h * n + v] (symmetric) says
 * whether the pair nets bilaterally; then only the larger debtor pays the
 * difference. Fills net (n * n).
 */
void bsim__settle_net(const int64_t *gross, const bool *net_pair, size_t n,
		      int64_t *net);

#endif /* BSIM_MODEL_BILLING_H */
