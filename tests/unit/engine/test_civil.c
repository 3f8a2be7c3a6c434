/* SPDX-License-Identifier: MIT */
/* Civil time: days, local months, strict UTC date-times. */
#include <blocsim/civil.h>
#include <blocsim/error.h>

#include <criterion/criterion.h>

Test(civil, days_and_local_months)
{
	/* 2026-01-31T23:30:00Z. */
	int64_t t =
		bsim_days_from_civil(2026, 1, 31) * 86400 + 23 * 3600 + 30 * 60;

	cr_assert_eq(bsim_days_from_civil(1970, 1, 1), 0);
	cr_assert_eq(bsim_days_from_civil(2000, 3, 1), 11017);
	cr_assert_eq(bsim_days_from_civil(2024, 2, 29) + 1,
		     bsim_days_from_civil(2024, 3, 1), "2024 is a leap year");
	cr_assert_eq(bsim_month_index(t, 0), 2026 * 12 + 0, "January in UTC");
	cr_assert_eq(bsim_month_index(t, 60), 2026 * 12 + 1,
		     "already February in Berlin (UTC+1)");
	cr_assert_eq(bsim_month_index(t, -300), 2026 * 12 + 0,
		     "still January in New York");
	cr_assert_eq(bsim_month_index(-1, 0), 1969 * 12 + 11);
}

Test(civil, utc_date_times_parse_strictly)
{
	static const char *const bad[] = {
		"2026-02-30T00:00:00Z", /* no such day */
		"2025-02-29T00:00:00Z", /* not a leap year */
		"2026-01-05T24:00:00Z",
		"2026-13-01T00:00:00Z",
		"2026-01-05T00:00:00", /* no Z: local time is ambiguous */
		"2026-01-05 00:00:00Z",
		"2026-1-05T00:00:00Z",
		"+026-01-05T00:00:00Z",
		"2026-01-05T00:00:00+01:00",
		"",
	};
	int64_t t = 0;

	cr_assert_eq(bsim_parse_utc("1970-01-01T00:00:00Z", &t), 0);
	cr_assert_eq(t, 0);
	/* `date -u -d 2026-01-05T06:07:08Z +%s` gives 1767593228. */
	cr_assert_eq(bsim_parse_utc("2026-01-05T06:07:08Z", &t), 0);
	cr_assert_eq(t, 1767593228);
	cr_assert_eq(bsim_parse_utc("2024-02-29T23:59:59Z", &t), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(bsim_parse_utc(bad[i], &t), BSIM_EPARSE, "'%s'",
			     bad[i]);
}
