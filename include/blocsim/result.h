/* SPDX-License-Identifier: MIT */
/**
 * @file result.h
 * @brief Result files (format "blocsim-result", version 1): one HDF5 file
 *        per run, laid out as results/README.md documents.
 *
 * The file is written as PATH.tmp and renamed over PATH only when whole,
 * so a killed or failed run never leaves a file that looks complete.
 * Datasets hold simulated quantities only; wall time, host and engine are
 * root attributes, so two runs with one scenario and seed have identical
 * datasets whichever engine ran them.
 */
#ifndef BSIM_RESULT_H
#define BSIM_RESULT_H

#include <blocsim/model.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BSIM_RESULT_FORMAT "blocsim-result"
#define BSIM_RESULT_FORMAT_VERSION 2

/** What the file says about the run beyond the model's results. */
struct bsim_result_meta {
	const char *scenario_yaml; /**< The resolved scenario (re-runnable). */
	const char *engine;	   /**< e.g. "native/ladder", "ns3/map". */
	double wall_seconds;	   /**< Whole run, load to write. */
	const char *host;	   /**< Host name. */
	/** Set when a sweep runs it (else NULL): the run id, replication
	 *  and canonical parameter text (key=value lines), kept as root
	 *  attributes so that a resumed sweep can verify the file. */
	const char *sweep_run_id;
	const char *sweep_params;
	int64_t sweep_replication;
};

/**
 * Write @p r to @p path (via @p path.tmp and a rename).
 * @param keep_tmp_check called after writing and before the rename; if it
 *        returns false the temporary file is removed and BSIM_ESTOPPED
 *        returned (a signal arrived while writing). May be NULL.
 * @return 0, BSIM_EIO or BSIM_ENOMEM with @p err filled.
 */
int bsim_result_write(const char *path, const struct bsim_results *r,
		      const struct bsim_result_meta *meta,
		      bool (*keep_tmp_check)(void), char *err, size_t errlen);

/**
 * Read the resolved scenario kept in result file @p path (for `run
 * --from`); *text is the caller's to free().
 * @return 0, BSIM_EIO (unreadable) or BSIM_EPARSE (not a result file)
 *         with @p err filled.
 */
int bsim_result_read_scenario(const char *path, char **text, char *err,
			      size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* BSIM_RESULT_H */
