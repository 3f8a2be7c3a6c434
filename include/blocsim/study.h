/* SPDX-License-Identifier: MIT */
/**
 * @file study.h
 * @brief What `blocsim analyze` reads: one result file, or a sweep's index
 *        and (through its links) its run files, as rows of KPIs with the
 *        swept parameters, cost per device by class and net settlement.
 */
#ifndef BSIM_STUDY_H
#define BSIM_STUDY_H

#include <blocsim/model.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bsim_study_run {
	char id[17];	      /**< Run id ("" for a single result file). */
	uint64_t replication; /**< 0 for a single result file. */
	char **values;	      /**< One per swept parameter. */
	double kpi[BSIM_KPI_COUNT];
	double *class_cost; /**< cost_per_device_month_eur per class. */
	double *net_eur;    /**< Net balance per operator, EUR: received
				 minus paid after netting. */
};

struct bsim_study {
	bool index; /**< Read from a sweep index. */
	size_t nparams;
	char **params; /**< Swept parameter names. */
	size_t nclasses, noperators;
	char **classes, **operators; /**< Names (from the first run). */
	size_t nruns;
	struct bsim_study_run *runs; /**< Complete runs, canonical order. */
};

/**
 * Load @p path: a result file ("blocsim-result") or a sweep index
 * ("blocsim-index").
 * @return 0 and *out; BSIM_EIO or BSIM_EPARSE with @p err filled.
 */
int bsim_study_load(const char *path, struct bsim_study **out, char *err,
		    size_t errlen);

/** Free it. Accepts NULL. */
void bsim_study_destroy(struct bsim_study *s);

#ifdef __cplusplus
}
#endif

#endif /* BSIM_STUDY_H */
