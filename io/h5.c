/* SPDX-License-Identifier: MIT */
/*
 * HDF5 writing helpers (see h5.h for the conventions). Uses the versioned
 * 1.10 calls (H5Dcreate2, ...) because Debian's 1.10.8 maps the unversioned
 * names to the 1.8 API. HDF5's own error printing is switched off; failures
 * come back as BSIM_EIO with a message.
 */
#include "h5.h"

#include <blocsim/error.h>

#include <hdf5_hl.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFLATE_LEVEL 4

size_t bsim__h5_size(enum bsim__h5_type t)
{
	static const size_t sizes[] = { 1, 2, 4, 8, 4, 8, 8, BSIM__H5_STR_LEN };

	return sizes[t];
}

static hid_t mem_type(enum bsim__h5_type t)
{
	switch (t) {
	case BSIM_H5_U8:
		return H5T_NATIVE_UINT8;
	case BSIM_H5_U16:
		return H5T_NATIVE_UINT16;
	case BSIM_H5_U32:
		return H5T_NATIVE_UINT32;
	case BSIM_H5_U64:
		return H5T_NATIVE_UINT64;
	case BSIM_H5_I32:
		return H5T_NATIVE_INT32;
	case BSIM_H5_I64:
		return H5T_NATIVE_INT64;
	case BSIM_H5_F64:
	case BSIM_H5_STR: /* Only in compounds, built there. */
		break;
	}
	return H5T_NATIVE_DOUBLE;
}

/* Little-endian file types, whatever the host. */
static hid_t file_type(enum bsim__h5_type t)
{
	switch (t) {
	case BSIM_H5_U8:
		return H5T_STD_U8LE;
	case BSIM_H5_U16:
		return H5T_STD_U16LE;
	case BSIM_H5_U32:
		return H5T_STD_U32LE;
	case BSIM_H5_U64:
		return H5T_STD_U64LE;
	case BSIM_H5_I32:
		return H5T_STD_I32LE;
	case BSIM_H5_I64:
		return H5T_STD_I64LE;
	case BSIM_H5_F64:
	case BSIM_H5_STR:
		break;
	}
	return H5T_IEEE_F64LE;
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	return d ? memcpy(d, s, n) : NULL;
}

int bsim__h5_create(const char *path, struct bsim__h5 **out, char *err,
		    size_t errlen)
{
	struct bsim__h5 *f = calloc(1, sizeof(*f));
	hid_t fcpl = -1, fapl = -1;

	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	if (!f)
		return BSIM_ENOMEM;
	f->path = dup_str(path);
	f->tmp_path = malloc(strlen(path) + 5);
	if (!f->path || !f->tmp_path)
		goto nomem;
	sprintf(f->tmp_path, "%s.tmp", path);
	fcpl = H5Pcreate(H5P_FILE_CREATE);
	fapl = H5Pcreate(H5P_FILE_ACCESS);
	/* Readable by any HDF5 >= 1.8 reader (netCDF-C, MATLAB, h5py). */
	H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18);
	f->file = H5Fcreate(f->tmp_path, H5F_ACC_TRUNC, fcpl, fapl);
	H5Pclose(fcpl);
	H5Pclose(fapl);
	if (f->file < 0) {
		snprintf(err, errlen, "%s: cannot create the result file",
			 f->tmp_path);
		free(f->path);
		free(f->tmp_path);
		free(f);
		return BSIM_EIO;
	}
	*out = f;
	return 0;
nomem:
	free(f->path);
	free(f->tmp_path);
	free(f);
	return BSIM_ENOMEM;
}

int bsim__h5_commit(struct bsim__h5 *f)
{
	int rc = 0;

	if (H5Fclose(f->file) < 0 || rename(f->tmp_path, f->path) != 0) {
		unlink(f->tmp_path);
		rc = BSIM_EIO;
	}
	free(f->path);
	free(f->tmp_path);
	free(f);
	return rc;
}

void bsim__h5_abort(struct bsim__h5 *f)
{
	if (!f)
		return;
	H5Fclose(f->file);
	unlink(f->tmp_path);
	free(f->path);
	free(f->tmp_path);
	free(f);
}

/* Creation properties shared by every object: no modification times. */
static hid_t ocpl(hid_t cls)
{
	hid_t p = H5Pcreate(cls);

	H5Pset_obj_track_times(p, 0);
	return p;
}

hid_t bsim__h5_group(struct bsim__h5 *f, const char *path)
{
	char buf[256];
	hid_t g = -1;

	if (strlen(path) >= sizeof(buf) || path[0] != '/')
		return -1;
	/* Create each missing level. */
	for (const char *p = path + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			memcpy(buf, path, (size_t)(p - path));
			buf[p - path] = '\0';
			if (g >= 0)
				H5Gclose(g);
			if (H5Lexists(f->file, buf, H5P_DEFAULT) > 0) {
				g = H5Gopen2(f->file, buf, H5P_DEFAULT);
			} else {
				hid_t gcpl = ocpl(H5P_GROUP_CREATE);

				g = H5Gcreate2(f->file, buf, H5P_DEFAULT, gcpl,
					       H5P_DEFAULT);
				H5Pclose(gcpl);
			}
			if (g < 0 || *p == '\0')
				return g;
		}
	}
}

static int attr_write(hid_t obj, const char *name, hid_t ftype, hid_t mtype,
		      hsize_t n, const void *value)
{
	hid_t space = n ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR);
	hid_t a;
	herr_t e;

	if (H5Aexists(obj, name) > 0)
		H5Adelete(obj, name);
	a = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
	e = a < 0 ? -1 : H5Awrite(a, mtype, value);
	if (a >= 0)
		H5Aclose(a);
	H5Sclose(space);
	return e < 0 ? BSIM_EIO : 0;
}

int bsim__h5_attr_str(hid_t obj, const char *name, const char *value)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	int rc;

	/* Variable-length UTF-8: h5py and netCDF (NC_STRING) read it as a
	 * string; fixed-length ones come back as bytes in h5py. */
	H5Tset_size(t, H5T_VARIABLE);
	H5Tset_cset(t, H5T_CSET_UTF8);
	rc = attr_write(obj, name, t, t, 0, &value);
	H5Tclose(t);
	return rc;
}

int bsim__h5_attr_u64(hid_t obj, const char *name, uint64_t value)
{
	return attr_write(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, 0,
			  &value);
}

int bsim__h5_attr_i64(hid_t obj, const char *name, int64_t value)
{
	return attr_write(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, 0,
			  &value);
}

int bsim__h5_attr_f64(hid_t obj, const char *name, double value)
{
	return attr_write(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0,
			  &value);
}

int bsim__h5_attr_flags(hid_t obj, const int32_t *values, size_t n,
			const char *meanings)
{
	int rc = attr_write(obj, "flag_values", H5T_STD_I32LE, H5T_NATIVE_INT32,
			    n, values);

	return rc ? rc : bsim__h5_attr_str(obj, "flag_meanings", meanings);
}

static void describe(hid_t d, const char *units, const char *long_name)
{
	if (units)
		bsim__h5_attr_str(d, "units", units);
	if (long_name)
		bsim__h5_attr_str(d, "long_name", long_name);
}

/* CF flag attributes PREFIXflag_values (0..n-1) and PREFIXflag_meanings
 * for space-separated meanings. */
static void flags_attr(hid_t obj, const char *prefix, const char *meanings)
{
	int32_t v[64];
	size_t n = 0;
	char key[96];

	for (const char *p = meanings; *p && n < 64; n++) {
		v[n] = (int32_t)n;
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	snprintf(key, sizeof(key), "%sflag_values", prefix);
	attr_write(obj, key, H5T_STD_I32LE, H5T_NATIVE_INT32, n, v);
	snprintf(key, sizeof(key), "%sflag_meanings", prefix);
	bsim__h5_attr_str(obj, key, meanings);
}

/* Dataset creation properties: chunked + shuffle + deflate when worth it. */
static hid_t dcpl_for(int rank, const hsize_t *dims, const hsize_t *maxdims,
		      size_t elem)
{
	hid_t p = ocpl(H5P_DATASET_CREATE);
	hsize_t chunk[8], total = 1;
	bool extendible = false;

	for (int i = 0; i < rank; i++) {
		total *= dims[i];
		extendible |= maxdims && maxdims[i] == H5S_UNLIMITED;
	}
	if (!extendible && total * elem < 4096)
		return p; /* Tiny: contiguous, no filters. */
	/* Chunks of about 256 KiB: whole rows of the trailing axes. */
	{
		hsize_t inner = 1, budget = (256 * 1024) / elem;

		for (int i = rank - 1; i >= 1; i--) {
			chunk[i] = dims[i] ? dims[i] : 1;
			inner *= chunk[i];
		}
		chunk[0] = inner >= budget ? 1 : budget / inner;
		if (!extendible && chunk[0] > dims[0])
			chunk[0] = dims[0] ? dims[0] : 1;
		if (extendible && rank == 1)
			chunk[0] = BSIM__H5_CHUNK_ROWS;
	}
	H5Pset_chunk(p, rank, chunk);
	H5Pset_shuffle(p);
	H5Pset_deflate(p, DEFLATE_LEVEL);
	return p;
}

hid_t bsim__h5_scale(hid_t group, const char *name, enum bsim__h5_type type,
		     size_t n, const void *data, const char *units)
{
	hsize_t dim = n;
	hid_t space = H5Screate_simple(1, &dim, NULL);
	hid_t p = dcpl_for(1, &dim, NULL, bsim__h5_size(type));
	hid_t d = H5Dcreate2(group, name, file_type(type), space, H5P_DEFAULT,
			     p, H5P_DEFAULT);

	H5Pclose(p);
	H5Sclose(space);
	if (d < 0)
		return d;
	if ((n && H5Dwrite(d, mem_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT,
			   data) < 0) ||
	    H5DSset_scale(d, name) < 0) {
		H5Dclose(d);
		return -1;
	}
	describe(d, units, NULL);
	return d;
}

int bsim__h5_array(hid_t group, const char *name, enum bsim__h5_type type,
		   int rank, const hsize_t *dims, const void *data,
		   const hid_t *scales, const char *units,
		   const char *long_name)
{
	hid_t space = H5Screate_simple(rank, dims, NULL);
	hid_t p = dcpl_for(rank, dims, NULL, bsim__h5_size(type));
	hid_t d = H5Dcreate2(group, name, file_type(type), space, H5P_DEFAULT,
			     p, H5P_DEFAULT);
	int rc = 0;

	H5Pclose(p);
	H5Sclose(space);
	if (d < 0)
		return BSIM_EIO;
	if (H5Dwrite(d, mem_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) <
	    0)
		rc = BSIM_EIO;
	for (int i = 0; rc == 0 && scales && i < rank; i++)
		if (H5DSattach_scale(d, scales[i], (unsigned)i) < 0)
			rc = BSIM_EIO;
	describe(d, units, long_name);
	H5Dclose(d);
	return rc;
}

struct bsim__h5_table {
	hid_t group;
	char *dim;
	size_t ncols;
	struct bsim__h5_col *cols;
	hid_t *ds;	     /* One dataset per column. */
	unsigned char **buf; /* One staging buffer per column. */
	size_t staged;	     /* Rows staged in the buffers. */
	hsize_t written;     /* Rows in the datasets. */
};

int bsim__h5_table_create(hid_t group, const char *dim,
			  const struct bsim__h5_col *cols, size_t ncols,
			  struct bsim__h5_table **out)
{
	struct bsim__h5_table *t = calloc(1, sizeof(*t));
	hsize_t zero = 0, unl = H5S_UNLIMITED;

	if (!t)
		return BSIM_ENOMEM;
	t->group = group;
	t->dim = dup_str(dim);
	t->ncols = ncols;
	t->cols = calloc(ncols, sizeof(*t->cols));
	t->ds = calloc(ncols, sizeof(*t->ds));
	t->buf = calloc(ncols, sizeof(*t->buf));
	if (!t->dim || !t->cols || !t->ds || !t->buf)
		goto fail;
	for (size_t c = 0; c < ncols; c++) {
		size_t elem = bsim__h5_size(cols[c].type);
		hid_t space = H5Screate_simple(1, &zero, &unl);
		hid_t p = dcpl_for(1, &zero, &unl, elem);

		t->cols[c] = cols[c];
		t->buf[c] = malloc(BSIM__H5_CHUNK_ROWS * elem);
		t->ds[c] =
			H5Dcreate2(group, cols[c].name, file_type(cols[c].type),
				   space, H5P_DEFAULT, p, H5P_DEFAULT);
		H5Pclose(p);
		H5Sclose(space);
		if (!t->buf[c] || t->ds[c] < 0)
			goto fail;
		describe(t->ds[c], cols[c].units, cols[c].long_name);
		if (cols[c].flag_meanings)
			flags_attr(t->ds[c], "", cols[c].flag_meanings);
	}
	*out = t;
	return 0;
fail:
	for (size_t c = 0; c < ncols; c++) {
		if (t->ds && t->ds[c] > 0)
			H5Dclose(t->ds[c]);
		if (t->buf)
			free(t->buf[c]);
	}
	free(t->dim);
	free(t->cols);
	free(t->ds);
	free(t->buf);
	free(t);
	return BSIM_EIO;
}

/* Write the staged rows at the end of every column. */
static int flush(struct bsim__h5_table *t)
{
	hsize_t start = t->written, count = t->staged,
		size = t->written + t->staged;

	if (t->staged == 0)
		return 0;
	for (size_t c = 0; c < t->ncols; c++) {
		hid_t fs, ms;
		herr_t e;

		if (H5Dset_extent(t->ds[c], &size) < 0)
			return BSIM_EIO;
		fs = H5Dget_space(t->ds[c]);
		ms = H5Screate_simple(1, &count, NULL);
		H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count,
				    NULL);
		e = H5Dwrite(t->ds[c], mem_type(t->cols[c].type), ms, fs,
			     H5P_DEFAULT, t->buf[c]);
		H5Sclose(ms);
		H5Sclose(fs);
		if (e < 0)
			return BSIM_EIO;
	}
	t->written = size;
	t->staged = 0;
	return 0;
}

int bsim__h5_table_append(struct bsim__h5_table *t, const void *const *data,
			  size_t rows)
{
	size_t done = 0;

	while (done < rows) {
		size_t k = BSIM__H5_CHUNK_ROWS - t->staged;

		if (k > rows - done)
			k = rows - done;
		for (size_t c = 0; c < t->ncols; c++) {
			size_t elem = bsim__h5_size(t->cols[c].type);

			memcpy(t->buf[c] + t->staged * elem,
			       (const unsigned char *)data[c] + done * elem,
			       k * elem);
		}
		t->staged += k;
		done += k;
		if (t->staged == BSIM__H5_CHUNK_ROWS && flush(t))
			return BSIM_EIO;
	}
	return 0;
}

int bsim__h5_table_close(struct bsim__h5_table *t)
{
	int rc = flush(t);
	uint64_t *idx = NULL;
	hid_t scale = -1;

	if (rc == 0) {
		idx = malloc((t->written ? t->written : 1) * sizeof(*idx));
		if (!idx)
			rc = BSIM_ENOMEM;
	}
	if (rc == 0) {
		for (hsize_t i = 0; i < t->written; i++)
			idx[i] = i;
		scale = bsim__h5_scale(t->group, t->dim, BSIM_H5_U64,
				       (size_t)t->written, idx, NULL);
		if (scale < 0)
			rc = BSIM_EIO;
	}
	for (size_t c = 0; c < t->ncols; c++) {
		if (rc == 0 && H5DSattach_scale(t->ds[c], scale, 0) < 0)
			rc = BSIM_EIO;
		H5Dclose(t->ds[c]);
		free(t->buf[c]);
	}
	if (scale >= 0)
		H5Dclose(scale);
	free(idx);
	free(t->dim);
	free(t->cols);
	free(t->ds);
	free(t->buf);
	free(t);
	return rc;
}

/* Packed compound types: the file type little-endian, the memory type
 * native, both with the same offsets. */
static hid_t compound_type(const struct bsim__h5_col *cols, size_t ncols,
			   bool file)
{
	size_t size = 0, off = 0;
	hid_t t;

	for (size_t c = 0; c < ncols; c++)
		size += bsim__h5_size(cols[c].type);
	t = H5Tcreate(H5T_COMPOUND, size ? size : 1);
	for (size_t c = 0; c < ncols; c++) {
		if (cols[c].type == BSIM_H5_STR) {
			hid_t s = H5Tcopy(H5T_C_S1);

			H5Tset_size(s, BSIM__H5_STR_LEN);
			H5Tset_strpad(s, H5T_STR_NULLPAD);
			H5Tinsert(t, cols[c].name, off, s);
			H5Tclose(s);
		} else {
			H5Tinsert(t, cols[c].name, off,
				  file ? file_type(cols[c].type)
				       : mem_type(cols[c].type));
		}
		off += bsim__h5_size(cols[c].type);
	}
	return t;
}

struct bsim__h5_ctable {
	hid_t d, mt;
	size_t ncols, size, rows;
	size_t *off, *elem;
	unsigned char *buf; /* Packed rows of one write. */
	size_t cap;	    /* Rows the buffer holds. */
};

int bsim__h5_ctable_create(hid_t group, const char *name,
			   const struct bsim__h5_col *cols, size_t ncols,
			   size_t rows, const char *long_name,
			   struct bsim__h5_ctable **out)
{
	struct bsim__h5_ctable *t = calloc(1, sizeof(*t));
	hsize_t dim = rows;
	hid_t ft, space, p;

	if (!t)
		return BSIM_ENOMEM;
	t->ncols = ncols;
	t->rows = rows;
	t->off = calloc(ncols + 1, sizeof(size_t));
	t->elem = calloc(ncols + 1, sizeof(size_t));
	if (!t->off || !t->elem) {
		free(t->off);
		free(t->elem);
		free(t);
		return BSIM_ENOMEM;
	}
	for (size_t c = 0; c < ncols; c++) {
		t->off[c] = t->size;
		t->elem[c] = bsim__h5_size(cols[c].type);
		t->size += t->elem[c];
	}
	ft = compound_type(cols, ncols, true);
	t->mt = compound_type(cols, ncols, false);
	space = H5Screate_simple(1, &dim, NULL);
	p = dcpl_for(1, &dim, NULL, t->size);
	t->d = H5Dcreate2(group, name, ft, space, H5P_DEFAULT, p, H5P_DEFAULT);
	H5Pclose(p);
	H5Sclose(space);
	H5Tclose(ft);
	if (t->d < 0) {
		H5Tclose(t->mt);
		free(t->off);
		free(t->elem);
		free(t);
		return BSIM_EIO;
	}
	describe(t->d, NULL, long_name);
	for (size_t c = 0; c < ncols; c++) {
		char key[96];

		if (cols[c].units) {
			snprintf(key, sizeof(key), "%s_units", cols[c].name);
			bsim__h5_attr_str(t->d, key, cols[c].units);
		}
		if (cols[c].long_name) {
			snprintf(key, sizeof(key), "%s_long_name",
				 cols[c].name);
			bsim__h5_attr_str(t->d, key, cols[c].long_name);
		}
		if (cols[c].flag_meanings) {
			snprintf(key, sizeof(key), "%s_", cols[c].name);
			flags_attr(t->d, key, cols[c].flag_meanings);
		}
	}
	*out = t;
	return 0;
}

int bsim__h5_ctable_write(struct bsim__h5_ctable *t, size_t start, size_t count,
			  const void *const *data)
{
	hsize_t st = start, cn = count;
	hid_t fs, ms;
	herr_t e;

	if (count == 0)
		return 0;
	if (start + count > t->rows)
		return BSIM_EINVAL;
	if (count > t->cap) {
		unsigned char *b = realloc(t->buf, count * t->size);

		if (!b)
			return BSIM_ENOMEM;
		t->buf = b;
		t->cap = count;
	}
	for (size_t c = 0; c < t->ncols; c++)
		for (size_t r = 0; r < count; r++)
			memcpy(t->buf + r * t->size + t->off[c],
			       (const unsigned char *)data[c] + r * t->elem[c],
			       t->elem[c]);
	fs = H5Dget_space(t->d);
	ms = H5Screate_simple(1, &cn, NULL);
	H5Sselect_hyperslab(fs, H5S_SELECT_SET, &st, NULL, &cn, NULL);
	e = H5Dwrite(t->d, t->mt, ms, fs, H5P_DEFAULT, t->buf);
	H5Sclose(ms);
	H5Sclose(fs);
	return e < 0 ? BSIM_EIO : 0;
}

int bsim__h5_ctable_close(struct bsim__h5_ctable *t)
{
	int rc = 0;

	if (!t)
		return 0;
	if (H5Dclose(t->d) < 0)
		rc = BSIM_EIO;
	H5Tclose(t->mt);
	free(t->off);
	free(t->elem);
	free(t->buf);
	free(t);
	return rc;
}

int bsim__h5_compound(hid_t group, const char *name,
		      const struct bsim__h5_col *cols, size_t ncols,
		      size_t rows, const void *const *data,
		      const char *long_name)
{
	struct bsim__h5_ctable *t;
	int rc = bsim__h5_ctable_create(group, name, cols, ncols, rows,
					long_name, &t);

	if (rc)
		return rc;
	rc = bsim__h5_ctable_write(t, 0, rows, data);
	if (bsim__h5_ctable_close(t) && !rc)
		rc = BSIM_EIO;
	return rc;
}

int bsim__h5_text(hid_t group, const char *name, const char *text)
{
	hid_t t = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR), p, d;
	int rc = 0;

	H5Tset_size(t, H5T_VARIABLE);
	H5Tset_cset(t, H5T_CSET_UTF8);
	p = ocpl(H5P_DATASET_CREATE);
	d = H5Dcreate2(group, name, t, space, H5P_DEFAULT, p, H5P_DEFAULT);
	if (d < 0 || H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0)
		rc = BSIM_EIO;
	if (d >= 0)
		H5Dclose(d);
	H5Pclose(p);
	H5Sclose(space);
	H5Tclose(t);
	return rc;
}

hid_t bsim__h5_subgroup(hid_t parent, const char *name)
{
	hid_t gcpl = ocpl(H5P_GROUP_CREATE);
	hid_t g = H5Gcreate2(parent, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);

	H5Pclose(gcpl);
	return g;
}

char *bsim__h5_attr_text(hid_t obj, const char *name)
{
	hid_t a, t, mt;
	char *v = NULL, *out = NULL;

	if (H5Aexists(obj, name) <= 0)
		return NULL;
	a = H5Aopen(obj, name, H5P_DEFAULT);
	if (a < 0)
		return NULL;
	t = H5Aget_type(a);
	mt = H5Tcopy(H5T_C_S1);
	H5Tset_size(mt, H5T_VARIABLE);
	H5Tset_cset(mt, H5T_CSET_UTF8);
	if (H5Tis_variable_str(t) > 0 && H5Aread(a, mt, &v) >= 0 && v) {
		out = strdup(v);
		H5free_memory(v);
	}
	H5Tclose(mt);
	H5Tclose(t);
	H5Aclose(a);
	return out;
}

bool bsim__h5_attr_int(hid_t obj, const char *name, int64_t *v)
{
	hid_t a;
	bool ok;

	if (H5Aexists(obj, name) <= 0)
		return false;
	a = H5Aopen(obj, name, H5P_DEFAULT);
	ok = a >= 0 && H5Aread(a, H5T_NATIVE_INT64, v) >= 0;
	if (a >= 0)
		H5Aclose(a);
	return ok;
}

bool bsim__h5_format_is(hid_t root, const char *format, int64_t version,
			const char *path, char *err, size_t errlen)
{
	char *f = bsim__h5_attr_text(root, "format");
	int64_t v = -1;
	bool have = bsim__h5_attr_int(root, "format_version", &v);
	bool ok = f && !strcmp(f, format) && have && v == version;

	if (!ok && err && errlen) {
		if (!f || strcmp(f, format))
			snprintf(err, errlen, "%s: not a %s file (format %s)",
				 path, format, f ? f : "missing");
		else
			snprintf(err, errlen,
				 "%s: %s format_version %lld, but this blocsim "
				 "reads version %lld only (its KPIs are "
				 "defined differently: run the scenario again)",
				 path, format, have ? (long long)v : -1LL,
				 (long long)version);
	}
	free(f);
	return ok;
}

/* Read double fields (by name) of every row of a compound dataset:
 * out[row * nnames + k]; absent fields are NaN. Returns the row count or
 * -1. */
long bsim__h5_read_fields(hid_t loc, const char *ds, const char *const *names,
			  size_t nnames, double **out)
{
	hid_t d = H5Dopen2(loc, ds, H5P_DEFAULT), ft, mt, sp;
	hsize_t n = 0;
	size_t off = 0, nk = 0, *map;
	double *rows, *buf;

	if (d < 0)
		return -1;
	sp = H5Dget_space(d);
	H5Sget_simple_extent_dims(sp, &n, NULL);
	H5Sclose(sp);
	ft = H5Dget_type(d);
	mt = H5Tcreate(H5T_COMPOUND, (nnames ? nnames : 1) * sizeof(double));
	map = calloc(nnames + 1, sizeof(*map));
	for (size_t k = 0; k < nnames; k++)
		if (H5Tget_member_index(ft, names[k]) >= 0) {
			H5Tinsert(mt, names[k], off, H5T_NATIVE_DOUBLE);
			map[nk++] = k;
			off += sizeof(double);
		}
	rows = malloc(((size_t)n + 1) * nnames * sizeof(double));
	buf = malloc(((size_t)n + 1) * (nk ? nk : 1) * sizeof(double));
	if (rows && buf) {
		for (size_t q = 0; q < (size_t)n * nnames; q++)
			rows[q] = NAN;
		if (nk && n &&
		    H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0)
			for (size_t r = 0; r < (size_t)n; r++)
				for (size_t q = 0; q < nk; q++)
					rows[r * nnames + map[q]] =
						buf[r * nk + q];
	}
	free(buf);
	free(map);
	H5Tclose(mt);
	H5Tclose(ft);
	H5Dclose(d);
	if (!rows)
		return -1;
	*out = rows;
	return (long)n;
}

/* A string field of every row (fixed-length strings). */
char **bsim__h5_read_strings(hid_t loc, const char *ds, const char *field,
			     size_t *nrows)
{
	hid_t d = H5Dopen2(loc, ds, H5P_DEFAULT), mt, s, sp;
	hsize_t n = 0;
	char *buf, **out = NULL;

	if (d < 0)
		return NULL;
	sp = H5Dget_space(d);
	H5Sget_simple_extent_dims(sp, &n, NULL);
	H5Sclose(sp);
	s = H5Tcopy(H5T_C_S1);
	H5Tset_size(s, 64);
	H5Tset_strpad(s, H5T_STR_NULLTERM);
	mt = H5Tcreate(H5T_COMPOUND, 64);
	H5Tinsert(mt, field, 0, s);
	buf = calloc((size_t)n + 1, 64);
	out = calloc((size_t)n + 1, sizeof(*out));
	if (buf && out &&
	    (n == 0 || H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0))
		for (size_t r = 0; r < (size_t)n; r++) {
			buf[r * 64 + 63] = '\0';
			out[r] = strdup(buf + r * 64);
		}
	free(buf);
	H5Tclose(mt);
	H5Tclose(s);
	H5Dclose(d);
	*nrows = (size_t)n;
	return out;
}

void bsim__h5_free_strings(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
