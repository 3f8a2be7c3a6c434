/* SPDX-License-Identifier: MIT */
/* The spool of records and trace: items survive the move to the
 * temporary file, in order, and a failing file fails loudly. */
#include "../../../model/spool.h"

#include <blocsim/error.h>
#include <blocsim/model.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

struct item {
	uint64_t k;
	uint32_t twice;
	uint16_t low;
	uint8_t odd;
};

static struct item item_of(uint64_t k)
{
	return (struct item){ k, (uint32_t)(2 * k), (uint16_t)k, k & 1 };
}

/* Enough items to spill the 4 MiB buffer several times. */
#define MANY 600000

Test(spool, items_come_back_in_order_across_the_file_and_the_buffer)
{
	struct bsim_spool s;
	struct item *all = malloc(MANY * sizeof(*all)), one;

	bsim__spool_init(&s, sizeof(struct item));
	for (uint64_t k = 0; k < MANY; k++) {
		struct item x = item_of(k);

		cr_assert_eq(bsim__spool_push(&s, &x), 0);
	}
	cr_assert_eq(s.n, MANY);
	cr_assert_gt(s.nfile, 0, "nothing was moved to the file");
	cr_assert_lt(s.nfile, MANY, "the buffer holds the tail");
	cr_assert_eq(bsim_spool_read(&s, 0, MANY, all), 0);
	for (uint64_t k = 0; k < MANY; k++) {
		cr_assert_eq(all[k].k, k);
		cr_assert_eq(all[k].twice, 2 * k);
		cr_assert_eq(all[k].low, (uint16_t)k);
		cr_assert_eq(all[k].odd, k & 1);
	}
	/* A range straddling the file and the buffer. */
	cr_assert_eq(bsim_spool_read(&s, s.nfile - 1, 2, all), 0);
	cr_assert_eq(all[0].k, s.nfile - 1);
	cr_assert_eq(all[1].k, s.nfile);
	cr_assert_eq(bsim_spool_read(&s, MANY - 1, 1, &one), 0);
	cr_assert_eq(one.k, MANY - 1);
	/* Past the end. */
	cr_assert_eq(bsim_spool_read(&s, MANY, 1, &one), BSIM_EINVAL);
	cr_assert_eq(bsim_spool_read(&s, MANY - 1, 2, all), BSIM_EINVAL);
	bsim__spool_finish(&s);
	free(all);
}

Test(spool, an_unusable_temporary_directory_fails_the_push)
{
	struct bsim_spool s;
	int rc = 0;
	uint64_t k;

	setenv("TMPDIR", "/nonexistent/blocsim-test", 1);
	bsim__spool_init(&s, sizeof(struct item));
	for (k = 0; k < MANY && !rc; k++) {
		struct item x = item_of(k);

		rc = bsim__spool_push(&s, &x);
	}
	cr_assert_eq(rc, -1, "the spill into a missing directory succeeded");
	cr_assert_eq(s.err, ENOENT);
	/* Failed at the first spill, and stays failed. */
	cr_assert_eq(s.n, 4u * 1024 * 1024 / sizeof(struct item));
	cr_assert_eq(bsim__spool_push(&s, &(struct item){ 0 }), -1);
	bsim__spool_finish(&s);
}

Test(spool, an_empty_spool_reads_nothing)
{
	struct bsim_spool s;
	struct item x;

	bsim__spool_init(&s, sizeof(struct item));
	cr_assert_eq(bsim_spool_read(&s, 0, 0, &x), 0);
	cr_assert_eq(bsim_spool_read(&s, 0, 1, &x), BSIM_EINVAL);
	bsim__spool_finish(&s);
}
