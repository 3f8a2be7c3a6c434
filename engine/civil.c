/* SPDX-License-Identifier: MIT */
/*
 * Calendar arithmetic on integer seconds (see civil.h), after Howard
 * Hinnant's days_from_civil / civil_from_days: exact over the whole
 * proleptic Gregorian calendar, no tables, no time zone database.
 */
#include <blocsim/civil.h>
#include <blocsim/error.h>

#include <stdio.h>
#include <string.h>

int64_t bsim_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int64_t bsim_month_index(int64_t unix_s, int32_t utc_offset_min)
{
	int64_t local = unix_s + (int64_t)utc_offset_min * 60;
	int64_t z = (local >= 0 ? local : local - 86399) / 86400 + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = (int64_t)yoe + era * 400 + (m <= 2);

	return y * 12 + (int64_t)m - 1;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned days[] = { 31, 28, 31, 30, 31, 30,
					 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int bsim_parse_utc(const char *text, int64_t *unix_s)
{
	int y, mo, d, h, mi, s, n = 0;

	if (strlen(text) != 20 ||
	    sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &s,
		   &n) != 6 ||
	    n != 20)
		return BSIM_EPARSE;
	for (int i = 0; i < 20; i++) {
		/* Digits where digits belong (sscanf accepts signs). */
		if (i == 4 || i == 7 || i == 10 || i == 13 || i == 16 ||
		    i == 19)
			continue;
		if (text[i] < '0' || text[i] > '9')
			return BSIM_EPARSE;
	}
	if (mo < 1 || mo > 12 || d < 1 ||
	    (unsigned)d > days_in_month(y, (unsigned)mo) || h > 23 || mi > 59 ||
	    s > 59)
		return BSIM_EPARSE;
	*unix_s = bsim_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
		  h * 3600 + mi * 60 + s;
	return 0;
}
