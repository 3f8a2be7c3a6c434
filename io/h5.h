/* SPDX-License-Identifier: MIT */
/*
 * HDF5 writing for result files (io-internal). Conventions every result
 * dataset follows, so that h5py, pandas, xarray/netCDF and MATLAB read it
 * as is:
 *   - the file is written as PATH.tmp and renamed over PATH only by
 *     bsim__h5_commit(): a killed or failed run never leaves a file that
 *     looks complete;
 *   - object modification times are off, so two runs with the same seed
 *     have byte-identical datasets;
 *   - no HDF5 enum types (netCDF readers refuse the whole file); category
 *     codes are integers documented with flag_values / flag_meanings;
 *   - tables are groups of 1-D columns sharing one dimension scale,
 *     chunked (CHUNK_ROWS), shuffled and deflated, appended in whole chunks
 *     from memory buffers, never a row per write;
 *   - every multi-dimensional dataset has a dimension scale per axis.
 */
#ifndef BSIM_IO_H5_H
#define BSIM_IO_H5_H

#include <hdf5.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Element types of columns and arrays. */
enum bsim__h5_type {
	BSIM_H5_U8,
	BSIM_H5_U16,
	BSIM_H5_U32,
	BSIM_H5_U64,
	BSIM_H5_I32,
	BSIM_H5_I64,
	BSIM_H5_F64,
	BSIM_H5_STR, /* Fixed-length ASCII, BSIM__H5_STR_LEN bytes, null
			padded; compound datasets only. */
};

#define BSIM__H5_STR_LEN 48

/* Bytes of one element of type t. */
size_t bsim__h5_size(enum bsim__h5_type t);

struct bsim__h5 {
	hid_t file;
	char *path;	/* Final name. */
	char *tmp_path; /* Name while writing: path + ".tmp". */
	char err[512];	/* Last error, for messages. */
};

/*
 * Create PATH.tmp (replacing a stale one).
 * @return 0 and *out, or BSIM_EIO with a message in `err`.
 */
int bsim__h5_create(const char *path, struct bsim__h5 **out, char *err,
		    size_t errlen);

/* Close the file and rename it to its final name; frees f. */
int bsim__h5_commit(struct bsim__h5 *f);

/* Close and delete the temporary file; frees f. Accepts NULL. */
void bsim__h5_abort(struct bsim__h5 *f);

/* Open or create the group at an absolute path ("/a/b"); close with
 * H5Gclose. Returns a negative id on failure. */
hid_t bsim__h5_group(struct bsim__h5 *f, const char *path);

/* Create group `name` in `parent` (modification times off). */
hid_t bsim__h5_subgroup(hid_t parent, const char *name);

/* Attributes on any object. */
int bsim__h5_attr_str(hid_t obj, const char *name, const char *value);
int bsim__h5_attr_u64(hid_t obj, const char *name, uint64_t value);
int bsim__h5_attr_i64(hid_t obj, const char *name, int64_t value);
int bsim__h5_attr_f64(hid_t obj, const char *name, double value);
/* A variable-length string attribute's value (caller frees), or NULL. */
char *bsim__h5_attr_text(hid_t obj, const char *name);
/* An integer attribute's value into *v; false if absent or unreadable. */
bool bsim__h5_attr_int(hid_t obj, const char *name, int64_t *v);
/* Is obj the root of a file of `format` at `version`? If not, a message
 * in err naming path, what it holds and what this blocsim reads. */
bool bsim__h5_format_is(hid_t root, const char *format, int64_t version,
			const char *path, char *err, size_t errlen);
/* CF flag_values (int32 array) and flag_meanings (space-separated). */
int bsim__h5_attr_flags(hid_t obj, const int32_t *values, size_t n,
			const char *meanings);

/* A 1-D coordinate dataset made a dimension scale named `name`. */
hid_t bsim__h5_scale(hid_t group, const char *name, enum bsim__h5_type type,
		     size_t n, const void *data, const char *units);

/*
 * An N-D dataset (C order) with scales[i] attached to axis i; each scale's
 * length must equal dims[i]. Chunked and deflated when large.
 */
int bsim__h5_array(hid_t group, const char *name, enum bsim__h5_type type,
		   int rank, const hsize_t *dims, const void *data,
		   const hid_t *scales, const char *units,
		   const char *long_name);

/* One column of a table. */
struct bsim__h5_col {
	const char *name;
	enum bsim__h5_type type;
	const char *units;     /* CF units, or NULL. */
	const char *long_name; /* Description, or NULL. */
	/* Integer codes 0, 1, ...: their names, space-separated (CF
	 * flag_meanings; flag_values are written to match), or NULL. */
	const char *flag_meanings;
};

/*
 * A table: 1-D column datasets in `group` sharing the dimension scale
 * `dim` (a row index 0..n-1 written at close). Rows are appended from
 * caller buffers, staged in memory and written a whole chunk at a time.
 */
struct bsim__h5_table;

int bsim__h5_table_create(hid_t group, const char *dim,
			  const struct bsim__h5_col *cols, size_t ncols,
			  struct bsim__h5_table **out);
/* Append `rows` rows; data[c] points to rows values of column c. */
int bsim__h5_table_append(struct bsim__h5_table *t, const void *const *data,
			  size_t rows);
/* Flush, write the row scale, attach it, free t. */
int bsim__h5_table_close(struct bsim__h5_table *t);

/*
 * A table as one compound dataset (h5py: `pd.DataFrame(f[name][:])`), for
 * entity lists and small result tables. data[c] points to `rows` values
 * of column c (strings: rows * BSIM__H5_STR_LEN bytes).
 */
int bsim__h5_compound(hid_t group, const char *name,
		      const struct bsim__h5_col *cols, size_t ncols,
		      size_t rows, const void *const *data,
		      const char *long_name);

/* The same, written in slices: create with its final row count, write
 * rows [start, start + count) from column arrays, close. */
struct bsim__h5_ctable;
int bsim__h5_ctable_create(hid_t group, const char *name,
			   const struct bsim__h5_col *cols, size_t ncols,
			   size_t rows, const char *long_name,
			   struct bsim__h5_ctable **out);
int bsim__h5_ctable_write(struct bsim__h5_ctable *t, size_t start, size_t count,
			  const void *const *data);
int bsim__h5_ctable_close(struct bsim__h5_ctable *t);

/* A scalar variable-length UTF-8 string dataset. */
int bsim__h5_text(hid_t group, const char *name, const char *text);

/*
 * Read the double fields `names` (absent ones NaN) of every row of the
 * compound dataset `ds`: *out (caller frees) holds rows x nnames values.
 * Returns the row count, or -1.
 */
long bsim__h5_read_fields(hid_t loc, const char *ds, const char *const *names,
			  size_t nnames, double **out);
/* A fixed-length string field of every row (caller frees with
 * bsim__h5_free_strings); NULL entries where it cannot be read as text. */
char **bsim__h5_read_strings(hid_t loc, const char *ds, const char *field,
			     size_t *nrows);
void bsim__h5_free_strings(char **v, size_t n);

/* Rows per chunk of table columns (and per write). */
#define BSIM__H5_CHUNK_ROWS 16384

#endif /* BSIM_IO_H5_H */
