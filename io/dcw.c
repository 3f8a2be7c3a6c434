/* SPDX-License-Identifier: MIT */
/*
 * Country outlines from the Digital Chart of the World as Debian's gmt-dcw
 * package ships it (/usr/share/gmt-dcw/dcw-gmt.nc, netCDF-4, i.e. HDF5).
 * Each country is a pair of uint16 datasets <ISO2>_lat and <ISO2>_lon with
 * attributes min and scale (degrees = min + value / scale); the value 65535
 * separates rings (islands, exclaves). Some countries store longitudes in
 * 0..360; they are brought to -180..180. The data is read at run time from
 * the installed package (LGPL-3+), never copied into this repository.
 */
#include <blocsim/error.h>
#include <blocsim/geo.h>

#include <hdf5.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BREAK 65535

/* Read <iso2>_<axis> decoded to degrees; *brk marks ring breaks. */
static int read_axis(hid_t f, const char *iso2, const char *axis, double **out,
		     bool **brk, size_t *n)
{
	char name[16];
	hid_t d, s, a;
	hssize_t len;
	double min = 0, scale = 1;
	uint16_t *raw;

	snprintf(name, sizeof(name), "%s_%s", iso2, axis);
	if (H5Lexists(f, name, H5P_DEFAULT) <= 0)
		return BSIM_ENOTFOUND;
	d = H5Dopen2(f, name, H5P_DEFAULT);
	if (d < 0)
		return BSIM_EIO;
	s = H5Dget_space(d);
	len = H5Sget_simple_extent_npoints(s);
	H5Sclose(s);
	a = H5Aopen(d, "min", H5P_DEFAULT);
	if (a < 0 || H5Aread(a, H5T_NATIVE_DOUBLE, &min) < 0)
		goto fail_attr;
	H5Aclose(a);
	a = H5Aopen(d, "scale", H5P_DEFAULT);
	if (a < 0 || H5Aread(a, H5T_NATIVE_DOUBLE, &scale) < 0)
		goto fail_attr;
	H5Aclose(a);
	raw = malloc((size_t)len * sizeof(*raw));
	*out = malloc((size_t)len * sizeof(**out));
	*brk = malloc((size_t)len * sizeof(**brk));
	if (!raw || !*out || !*brk ||
	    H5Dread(d, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) <
		    0) {
		free(raw);
		free(*out);
		free(*brk);
		H5Dclose(d);
		return BSIM_EIO;
	}
	for (hssize_t i = 0; i < len; i++) {
		(*brk)[i] = raw[i] == BREAK;
		(*out)[i] = min + raw[i] / scale;
	}
	free(raw);
	H5Dclose(d);
	*n = (size_t)len;
	return 0;
fail_attr:
	if (a >= 0)
		H5Aclose(a);
	H5Dclose(d);
	return BSIM_EIO;
}

int bsim_dcw_read(const char *path, const char *iso2, struct bsim_rings *out,
		  char *err, size_t errlen)
{
	double *lat = NULL, *lon = NULL;
	bool *blat = NULL, *blon = NULL;
	size_t nlat = 0, nlon = 0, k = 0;
	hid_t f;
	int rc;

	memset(out, 0, sizeof(*out));
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (f < 0) {
		snprintf(err, errlen,
			 "%s: cannot open the country outlines (Debian "
			 "package gmt-dcw)",
			 path);
		return BSIM_EIO;
	}
	rc = read_axis(f, iso2, "lat", &lat, &blat, &nlat);
	if (!rc)
		rc = read_axis(f, iso2, "lon", &lon, &blon, &nlon);
	H5Fclose(f);
	if (!rc && nlat != nlon)
		rc = BSIM_EIO;
	if (rc) {
		snprintf(err, errlen,
			 rc == BSIM_ENOTFOUND
				 ? "%s: no outline for country code '%s'"
				 : "%s: unreadable outline of '%s'",
			 path, iso2);
		goto out;
	}
	out->lat = malloc(nlat * sizeof(*out->lat));
	out->lon = malloc(nlat * sizeof(*out->lon));
	out->start = malloc((nlat + 1) * sizeof(*out->start));
	if (!out->lat || !out->lon || !out->start) {
		rc = BSIM_ENOMEM;
		bsim_rings_finish(out);
		goto out;
	}
	out->south = out->west = 1e9;
	out->north = out->east = -1e9;
	for (size_t i = 0; i < nlat; i++) {
		double lo;

		if (blat[i] || blon[i])
			continue; /* A break ends the current ring. */
		if (k == 0 || blat[i - 1] || blon[i - 1])
			out->start[out->nrings++] = k;
		lo = lon[i] > 180 ? lon[i] - 360 : lon[i];
		out->lat[k] = lat[i];
		out->lon[k] = lo;
		out->south = lat[i] < out->south ? lat[i] : out->south;
		out->north = lat[i] > out->north ? lat[i] : out->north;
		out->west = lo < out->west ? lo : out->west;
		out->east = lo > out->east ? lo : out->east;
		k++;
	}
	out->n = k;
out:
	free(lat);
	free(lon);
	free(blat);
	free(blon);
	return rc;
}
