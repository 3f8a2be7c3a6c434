/* SPDX-License-Identifier: MIT */
/* Error codes: every code has its own message and name; fatal aborts. */
#include <blocsim/error.h>

#include <criterion/criterion.h>

#include <signal.h>
#include <string.h>

Test(error, every_code_has_a_distinct_message_and_name)
{
	static const int codes[] = {
#define CODE(name, value, msg) BSIM_##name,
		BSIM_ERR_MAP(CODE)
#undef CODE
	};
	size_t n = sizeof(codes) / sizeof(codes[0]);

	cr_assert_geq(n, 9);
	for (size_t i = 0; i < n; i++) {
		cr_assert_lt(codes[i], 0);
		cr_assert_str_neq(bsim_strerror(codes[i]), "unknown error");
		cr_assert_eq(strncmp(bsim_err_name(codes[i]), "BSIM_E", 6), 0);
		for (size_t j = 0; j < i; j++)
			cr_assert_str_neq(bsim_strerror(codes[i]),
					  bsim_strerror(codes[j]));
	}
	cr_assert_str_eq(bsim_err_name(BSIM_EINVAL), "BSIM_EINVAL");
	cr_assert_str_eq(bsim_strerror(0), "success");
	cr_assert_str_eq(bsim_strerror(-999), "unknown error");
}

Test(error, fatal_aborts, .signal = SIGABRT)
{
	bsim_fatal(BSIM_LOC, "deliberate %d", 1);
}
