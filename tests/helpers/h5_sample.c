/* SPDX-License-Identifier: MIT */
/*
 * Writes a small result-like file with every kind of object io/h5.c makes
 * (root attributes, a table of columns over 2.5 chunks, a 3-D array with
 * dimension scales, flag attributes), for the Python reader tests.
 * usage: h5_sample OUT.h5
 */
#include "../../io/h5.h"

#include <stdio.h>
#include <stdlib.h>

#define ROWS 40000

int main(int argc, char **argv)
{
	static uint32_t dev[ROWS];
	static double t[ROWS];
	static int64_t ueur[ROWS];
	static uint8_t kind[ROWS];
	const void *cols[] = { dev, t, ueur, kind };
	static const struct bsim__h5_col spec[] = {
		{ "device", BSIM_H5_U32, NULL, "device id" },
		{ "t_start_s", BSIM_H5_F64, "s", "record start" },
		{ "charge_ueur", BSIM_H5_I64, "1e-6 EUR", "charge" },
		{ "kind", BSIM_H5_U8, NULL, "record kind" },
	};
	static const int32_t flags[] = { 0, 1, 2 };
	double tbin[3] = { 0, 60, 120 };
	uint32_t node[2] = { 0, 1 }, msg[4] = { 0, 1, 2, 3 };
	uint64_t counts[3][2][4];
	hsize_t dims[3] = { 3, 2, 4 };
	hid_t g, scales[3];
	struct bsim__h5 *f;
	struct bsim__h5_table *tab;
	char err[256];

	if (argc != 2 || bsim__h5_create(argv[1], &f, err, sizeof(err))) {
		fprintf(stderr, "h5_sample: cannot create\n");
		return 1;
	}
	for (int i = 0; i < ROWS; i++) {
		dev[i] = (uint32_t)(i * 7 % 1000);
		t[i] = i * 0.5;
		ueur[i] = (int64_t)i * 1001 - 5;
		kind[i] = (uint8_t)(i % 3);
	}
	g = bsim__h5_group(f, "/");
	bsim__h5_attr_str(g, "format", "blocsim-result");
	bsim__h5_attr_u64(g, "format_version", 2);
	bsim__h5_attr_f64(g, "sim_duration_s", 86400.0);
	H5Gclose(g);
	g = bsim__h5_group(f, "/billing/records");
	bsim__h5_table_create(g, "record", spec, 4, &tab);
	bsim__h5_table_append(tab, cols, 12345);
	{
		const void *rest[] = { dev + 12345, t + 12345, ueur + 12345,
				       kind + 12345 };

		bsim__h5_table_append(tab, rest, ROWS - 12345);
	}
	bsim__h5_table_close(tab);
	{
		hid_t k = H5Dopen2(g, "kind", H5P_DEFAULT);

		bsim__h5_attr_flags(k, flags, 3, "usage sms access_fee");
		H5Dclose(k);
	}
	H5Gclose(g);
	g = bsim__h5_group(f, "/signalling");
	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 2; b++)
			for (int c = 0; c < 4; c++)
				counts[a][b][c] =
					(uint64_t)(100 * a + 10 * b + c);
	scales[0] = bsim__h5_scale(g, "time_s", BSIM_H5_F64, 3, tbin, "s");
	scales[1] = bsim__h5_scale(g, "node", BSIM_H5_U32, 2, node, NULL);
	scales[2] =
		bsim__h5_scale(g, "message_type", BSIM_H5_U32, 4, msg, NULL);
	bsim__h5_array(g, "messages", BSIM_H5_U64, 3, dims, counts, scales, "1",
		       "messages per bin, node and type");
	for (int i = 0; i < 3; i++)
		H5Dclose(scales[i]);
	H5Gclose(g);
	return bsim__h5_commit(f) ? 1 : 0;
}
