/* SPDX-License-Identifier: MIT */
/*
 * Running a sweep's runs (cli-internal): each run is its own `blocsim run`
 * process; a local pool (-j N) or MPI ranks decide which runs when. The
 * dispatchers share this state and these helpers.
 */
#ifndef BSIM_CLI_SWEEP_EXEC_H
#define BSIM_CLI_SWEEP_EXEC_H

#include <blocsim/index.h>
#include <blocsim/sweep.h>

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sweep_exec {
	struct bsim_sweep *s;
	const char *dir;
	char self[4096]; /* This executable. */
	char **scenario; /* Per run: the scenario file it runs. */
	size_t *todo;	 /* Runs to do, longest expected first. */
	size_t ntodo;
	struct bsim_index *index;
	bool progress; /* A progress line on stderr. */
	/* Outcomes. */
	size_t done, failed;
	size_t *per_worker; /* Runs finished per worker. */
	size_t nworkers;
	double t0;
};

/* Set by SIGINT/SIGTERM handlers: the signal number, else 0. */
extern volatile sig_atomic_t bsim_sweep_stop;

/* Start run k as a child process; its output goes to DIR/logs/<id>.log.
 * Returns the pid, or -1. */
pid_t sweep_spawn(struct sweep_exec *x, size_t k);

/* A child ended with wait status `st`: record the outcome of run k by
 * worker w, rewrite the index, show progress. Returns true when the run
 * completed. */
bool sweep_finish(struct sweep_exec *x, size_t k, int st, size_t w);

/* Remove a run's temporary file (a killed child may leave one). */
void sweep_remove_tmp(const struct sweep_exec *x, size_t k);

/* Run the runs on this machine, up to `jobs` at a time. */
int sweep_local(struct sweep_exec *x, unsigned jobs);

/* True when launched by mpirun and built with MPI. */
bool sweep_mpi_launched(void);

/* MPI_Init (only here, only under mpirun); this process's rank and the
 * number of ranks. */
void sweep_mpi_init(int *rank, int *size);

/* Every rank gets rank 0's `status`. */
int sweep_mpi_agree(int status);

/* Run the runs over the ranks (each rank one run at a time; rank 0
 * dispatches and works too). */
int sweep_mpi(struct sweep_exec *x, int rank, int size);

/* MPI_Finalize. */
void sweep_mpi_finish(void);

#endif /* BSIM_CLI_SWEEP_EXEC_H */
