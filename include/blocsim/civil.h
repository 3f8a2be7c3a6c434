/* SPDX-License-Identifier: MIT */
/**
 * @file civil.h
 * @brief Civil (calendar) time: the run's UTC start, local months and
 *        days. Proleptic Gregorian calendar, seconds since
 *        1970-01-01T00:00:00Z, no leap seconds; local time is a fixed
 *        offset east of UTC, in minutes.
 */
#ifndef BSIM_CIVIL_H
#define BSIM_CIVIL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Days since 1970-01-01 of a date (Hinnant's algorithm); m 1..12. */
int64_t bsim_days_from_civil(int64_t y, unsigned m, unsigned d);

/**
 * Month number (year * 12 + month - 1) of the instant @p unix_s in local
 * time @p utc_offset_min minutes east of UTC.
 */
int64_t bsim_month_index(int64_t unix_s, int32_t utc_offset_min);

/**
 * Parse an ISO 8601 UTC date-time "YYYY-MM-DDTHH:MM:SSZ" (the "Z" is
 * required: run times are UTC).
 * @return 0 and *unix_s, or BSIM_EPARSE for anything else, including
 *         impossible dates (2026-02-30) and times (24:00:00).
 */
int bsim_parse_utc(const char *text, int64_t *unix_s);

#ifdef __cplusplus
}
#endif

#endif /* BSIM_CIVIL_H */
