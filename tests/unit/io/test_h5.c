/* SPDX-License-Identifier: MIT */
/* The result file's write protocol: PATH.tmp, then rename or removal. */
#include "../../../io/h5.h"

#include <blocsim/error.h>

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64], path[128], tmp[160];

static void setup(void)
{
	strcpy(dir, "/tmp/bsim-h5-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.h5", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
}

static void teardown(void)
{
	unlink(tmp);
	unlink(path);
	rmdir(dir);
}

TestSuite(h5, .init = setup, .fini = teardown);

Test(h5, abort_leaves_no_file_at_all)
{
	struct bsim__h5 *f;
	char err[128];

	cr_assert_eq(bsim__h5_create(path, &f, err, sizeof(err)), 0);
	cr_assert_eq(access(tmp, F_OK), 0, "writes go to PATH.tmp");
	cr_assert_neq(access(path, F_OK), 0, "PATH appears only at commit");
	bsim__h5_abort(f);
	cr_assert_neq(access(tmp, F_OK), 0);
	cr_assert_neq(access(path, F_OK), 0);
	bsim__h5_abort(NULL);
}

Test(h5, commit_renames_over_an_old_result_and_a_stale_tmp)
{
	struct bsim__h5 *f;
	char err[128];
	FILE *old = fopen(path, "w"), *stale = fopen(tmp, "w");

	cr_assert(old && stale);
	fputs("old", old);
	fputs("stale", stale);
	fclose(old);
	fclose(stale);
	cr_assert_eq(bsim__h5_create(path, &f, err, sizeof(err)), 0);
	cr_assert_eq(bsim__h5_attr_u64(f->file, "format_version", 1), 0);
	cr_assert_eq(bsim__h5_commit(f), 0);
	cr_assert_neq(access(tmp, F_OK), 0);
	cr_assert_gt(H5Fis_hdf5(path), 0, "the new file replaced the old");
}

Test(h5, create_in_a_missing_folder_fails_with_a_message)
{
	struct bsim__h5 *f = NULL;
	char err[256];

	cr_assert_eq(
		bsim__h5_create("/nonexistent-dir/x.h5", &f, err, sizeof(err)),
		BSIM_EIO);
	cr_assert_null(f);
	cr_assert(strstr(err, "/nonexistent-dir/x.h5.tmp"), "%s", err);
}
