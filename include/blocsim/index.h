/* SPDX-License-Identifier: MIT */
/**
 * @file index.h
 * @brief A sweep's directory: run files DIR/runs/<run_id>.h5 and the index
 *        DIR/index.h5 (format "blocsim-index", version 1).
 *
 * The index is derived from the run files on disk (plus the failures the
 * writing process saw), in the sweep's canonical run order, so it is the
 * same whichever worker, job count or MPI rank count produced the runs.
 * It is rewritten atomically (a private temporary file renamed over it),
 * so concurrent writers (Slurm array shards) never leave a torn index.
 */
#ifndef BSIM_INDEX_H
#define BSIM_INDEX_H

#include <blocsim/sweep.h>

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BSIM_INDEX_FORMAT "blocsim-index"
#define BSIM_INDEX_FORMAT_VERSION 2

/** Run states in the index (/runs/status). */
enum bsim_run_status {
	BSIM_RUN_MISSING = 0,  /**< Not run (yet). */
	BSIM_RUN_COMPLETE = 1, /**< A complete, verified run file. */
	BSIM_RUN_FAILED = 2,   /**< Its process failed or was killed. */
};

/** Canonical parameter text of a run: "key=value" lines in file order. */
char *bsim_run_params_text(const struct bsim_run *run);

/**
 * Is @p path a complete result of run @p run: status "complete", and the
 * parameters and replication it records hash to the run's id?
 */
bool bsim_run_file_complete(const char *path, const struct bsim_run *run);

struct bsim_index;

/**
 * An index of sweep @p s in directory @p dir; @p sweep_text is the sweep
 * file's text, kept in the index.
 * @return 0 and *out, or BSIM_ENOMEM.
 */
int bsim_index_create(const char *dir, const struct bsim_sweep *s,
		      const char *sweep_text, struct bsim_index **out);

/**
 * Run @p k (index into s->runs) ended: true if DIR/runs/<id>.h5 is its
 * complete result (bsim_run_file_complete()), whose KPI row the index then
 * keeps, reading the file once.
 */
bool bsim_index_take(struct bsim_index *x, size_t k);

/** Record that run @p k (index into s->runs) failed in this process. */
void bsim_index_failed(struct bsim_index *x, size_t k);

/** The status of run @p k as of the last bsim_index_write(). */
enum bsim_run_status bsim_index_status(const struct bsim_index *x, size_t k);

/**
 * Check the run files and rewrite DIR/index.h5.
 * @return 0, or BSIM_EIO with @p err filled.
 */
int bsim_index_write(struct bsim_index *x, char *err, size_t errlen);

/** Free the index object. Accepts NULL. */
void bsim_index_destroy(struct bsim_index *x);

#ifdef __cplusplus
}
#endif

#endif /* BSIM_INDEX_H */
