/* SPDX-License-Identifier: MIT */
/*
 * An append-only sequence of fixed-size items that keeps only its last
 * SPOOL_BUF_BYTES in memory and moves the rest to an unlinked temporary
 * file in $TMPDIR (or /tmp). Billing records and the trace grow with the
 * simulated time; spooled, a run's memory no longer does. The file is
 * unlinked as soon as it is created, so a killed run leaves nothing.
 */
#ifndef BSIM_MODEL_SPOOL_H
#define BSIM_MODEL_SPOOL_H

#include <stddef.h>

struct bsim_spool {
	size_t elem;	    /* Item size, bytes. */
	size_t n;	    /* Items pushed. */
	size_t nfile;	    /* Items in the file: [0, nfile). */
	size_t cap;	    /* Items the buffer holds. */
	unsigned char *buf; /* Items [nfile, n). */
	int fd;		    /* -1 until the first spill. */
	int err;	    /* errno of the first failure, sticky; 0 if none. */
};

/* An empty spool of elem-byte items; nothing is allocated yet. */
void bsim__spool_init(struct bsim_spool *s, size_t elem);
void bsim__spool_finish(struct bsim_spool *s);
/* Append one item. Returns 0, or -1 with s->err set (out of memory, or
 * the temporary file could not be created or written); the item is lost
 * and so the run's results are incomplete: the caller must fail the run. */
int bsim__spool_push(struct bsim_spool *s, const void *item);

#endif /* BSIM_MODEL_SPOOL_H */
