/* SPDX-License-Identifier: MIT */
/* Subcommands of the blocsim executable; each returns an exit status. */
#ifndef BSIM_CLI_H
#define BSIM_CLI_H

int bsim_cli_sweep(int argc, char **argv);
int bsim_cli_check(int argc, char **argv);
int bsim_cli_run(int argc, char **argv);
int bsim_cli_analyze(int argc, char **argv);

#endif /* BSIM_CLI_H */
