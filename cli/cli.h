/* SPDX-License-Identifier: MIT */
/* Subcommands of the blocsim executable; each returns an exit status. */
#ifndef BSIM_CLI_H
#define BSIM_CLI_H

#include <time.h>

/* Monotonic wall-clock seconds, for progress lines and wall_s. */
static inline double bsim_cli_wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int bsim_cli_sweep(int argc, char **argv);
int bsim_cli_check(int argc, char **argv);
int bsim_cli_run(int argc, char **argv);
int bsim_cli_analyze(int argc, char **argv);

#endif /* BSIM_CLI_H */
