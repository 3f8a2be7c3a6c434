/* SPDX-License-Identifier: MIT */
/*
 * `blocsim sweep SWEEP.yaml`: expand a sweep file and either list its runs
 * (--list) or run them into a directory: DIR/runs/<run_id>.h5 per run,
 * DIR/logs/<run_id>.log with each run's own output, DIR/index.h5 over all.
 * Each run is its own `blocsim run` process (a crash fails that run only),
 * N at a time (-j) or over MPI ranks (under mpirun), longest expected runs
 * first; --resume runs what is missing; --shard K/M (or a Slurm array's
 * variables) runs a K-th share.
 */
#include "cli.h"
#include "sweep_exec.h"

#include <blocsim/error.h>
#include <blocsim/scenario.h>
#include <blocsim/sweep.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t bsim_sweep_stop;

static void on_signal(int sig)
{
	bsim_sweep_stop = sig;
}

static void usage(FILE *f)
{
	fputs("usage: blocsim sweep SWEEP.yaml --list [--filter EXPR]\n"
	      "       blocsim sweep SWEEP.yaml -o DIR [-j N] [--resume] "
	      "[--filter EXPR] [--shard K/M]\n"
	      "  --list         print the runs without running them\n"
	      "  -o DIR         run them into DIR (runs/, logs/, index.h5)\n"
	      "  -j N           N runs at a time on this machine (default 1)\n"
	      "  --resume       DIR exists: run only what is missing\n"
	      "  --filter EXPR  keep the runs where EXPR holds, e.g.\n"
	      "                 \"topology == 'blocs' && replication < 2\"\n"
	      "  --shard K/M    run the K-th of M shares (K from 0); under a\n"
	      "                 Slurm job array the share comes from\n"
	      "                 SLURM_ARRAY_TASK_ID/_MIN/_COUNT\n"
	      "Under mpirun, the runs are spread over the ranks.\n",
	      f);
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *t = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (t = malloc((size_t)n + 1))) {
		t[fread(t, 1, (size_t)n, f)] = '\0';
	}
	fclose(f);
	return t;
}

/* "name=value" of a parameter (caller frees). */
static char *assignment(const struct bsim_param *p)
{
	size_t n = strlen(p->name) + strlen(p->value) + 2;
	char *a = malloc(n);

	if (a)
		snprintf(a, n, "%s=%s", p->name, p->value);
	return a;
}

/* The overrides of run k: the sweep's fixed ones, then its parameters
 * (except topology, which picks the file). */
static size_t run_sets(const struct bsim_sweep *s, size_t k, char **sets)
{
	const struct bsim_run *run = &s->runs[k];
	size_t n = 0;

	for (size_t i = 0; i < s->nset; i++)
		sets[n++] = assignment(&s->set[i]);
	for (size_t i = 0; i < run->nparams; i++)
		if (strcmp(run->params[i].name, "topology"))
			sets[n++] = assignment(&run->params[i]);
	return n;
}

static void free_sets(char **sets, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(sets[i]);
}

pid_t sweep_spawn(struct sweep_exec *x, size_t k)
{
	const struct bsim_sweep *s = x->s;
	const struct bsim_run *run = &s->runs[k];
	size_t cap = 2 * (s->nset + run->nparams) + 20, n = 0, nsets;
	char **argv = calloc(cap, sizeof(*argv)), **sets, out[PATH_MAX],
	     logp[PATH_MAX], seed[32], rep[32], *params;
	pid_t pid;

	sets = calloc(s->nset + run->nparams + 1, sizeof(*sets));
	params = bsim_run_params_text(run);
	if (!argv || !sets || !params) {
		free(argv);
		free(sets);
		free(params);
		return -1;
	}
	nsets = run_sets(s, k, sets);
	snprintf(out, sizeof(out), "%s/runs/%s.h5", x->dir, run->id);
	snprintf(logp, sizeof(logp), "%s/logs/%s.log", x->dir, run->id);
	snprintf(seed, sizeof(seed), "%" PRIu64, run->seed);
	snprintf(rep, sizeof(rep), "%" PRIu64, run->replication);
	argv[n++] = x->self;
	argv[n++] = "run";
	argv[n++] = x->scenario[k];
	argv[n++] = "-o";
	argv[n++] = out;
	argv[n++] = "--seed";
	argv[n++] = seed;
	argv[n++] = "--quiet";
	for (size_t i = 0; i < nsets; i++) {
		argv[n++] = "--set";
		argv[n++] = sets[i];
	}
	argv[n++] = "--sweep-run-id";
	argv[n++] = (char *)run->id;
	argv[n++] = "--sweep-params";
	argv[n++] = params;
	argv[n++] = "--sweep-replication";
	argv[n++] = rep;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		int fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		execv(x->self, argv);
		_exit(127);
	}
	free_sets(sets, nsets);
	free(sets);
	free(params);
	free(argv);
	return pid;
}

void sweep_remove_tmp(const struct sweep_exec *x, size_t k)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/runs/%s.h5.tmp", x->dir, x->s->runs[k].id);
	unlink(p);
}

static void show(const struct sweep_exec *x, size_t running)
{
	double el = bsim_cli_wall_now() - x->t0;

	if (!x->progress)
		return;
	fprintf(stderr,
		"\r  sweep: %zu of %zu done, %zu failed, %zu running, %.0f s ",
		x->done, x->ntodo, x->failed, running, el);
	fflush(stderr);
}

bool sweep_finish(struct sweep_exec *x, size_t k, int st, size_t w)
{
	char err[512];
	bool ok;

	ok = WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
	     bsim_index_take(x->index, k);
	if (!ok) {
		sweep_remove_tmp(x, k);
		bsim_index_failed(x->index, k);
		x->failed++;
		if (!bsim_sweep_stop)
			fprintf(stderr,
				"%sblocsim sweep: run %s failed (%s %d); see "
				"%s/logs/%s.log\n",
				x->progress ? "\n" : "", x->s->runs[k].id,
				WIFSIGNALED(st) ? "signal" : "exit status",
				WIFSIGNALED(st) ? WTERMSIG(st)
						: WEXITSTATUS(st),
				x->dir, x->s->runs[k].id);
	}
	x->done++;
	if (w < x->nworkers)
		x->per_worker[w]++;
	if (bsim_index_write(x->index, err, sizeof(err)))
		fprintf(stderr, "blocsim sweep: %s\n", err);
	show(x, 0);
	return ok;
}

int sweep_local(struct sweep_exec *x, unsigned jobs)
{
	struct slot {
		pid_t pid;
		size_t run;
	} *slot = calloc(jobs, sizeof(*slot));
	size_t next = 0, running = 0;

	if (!slot)
		return 1;
	while (next < x->ntodo || running > 0) {
		int st;
		pid_t pid;

		if (bsim_sweep_stop) {
			for (unsigned j = 0; j < jobs; j++)
				if (slot[j].pid > 0)
					kill(slot[j].pid, SIGTERM);
		}
		while (!bsim_sweep_stop && running < jobs && next < x->ntodo) {
			unsigned j = 0;

			while (slot[j].pid > 0)
				j++;
			slot[j].run = x->todo[next++];
			slot[j].pid = sweep_spawn(x, slot[j].run);
			if (slot[j].pid < 0) {
				slot[j].pid = 0;
				bsim_index_failed(x->index, slot[j].run);
				x->failed++;
				continue;
			}
			running++;
			show(x, running);
		}
		if (running == 0)
			break;
		/* Polled, so that a signal arriving between the check above
		 * and this wait is still seen within a few milliseconds. */
		pid = waitpid(-1, &st, WNOHANG);
		if (pid == 0) {
			struct timespec ts = { 0, 5000000 };

			nanosleep(&ts, NULL);
			continue;
		}
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (unsigned j = 0; j < jobs; j++)
			if (slot[j].pid == pid) {
				slot[j].pid = 0;
				running--;
				if (bsim_sweep_stop)
					sweep_remove_tmp(x, slot[j].run);
				sweep_finish(x, slot[j].run, st, j);
			}
	}
	free(slot);
	return 0;
}

/* Expected cost of a run: events per simulated day over its devices,
 * from its own scenario (the order longest-first needs nothing finer). */
static double cost_of(const struct bsim_world *w)
{
	double c = 0;

	for (size_t k = 0; k < w->nclasses; k++) {
		const struct bsim_class *cl = &w->classes[k];
		double per_day = (cl->daily ? 1 : 86400 / cl->report_s) +
				 86400 / cl->t3412_s;

		c += (double)cl->simulated * per_day;
	}
	return c * (double)w->run.duration_s / 86400;
}

static int by_cost(const void *a, const void *b, void *costs)
{
	const double *c = costs;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (c[x] != c[y])
		return c[x] < c[y] ? 1 : -1;
	return (x > y) - (x < y);
}

/* qsort_r is a GNU extension; a small insertion sort keeps this portable
 * and the sweeps are small. */
static void sort_todo(size_t *v, size_t n, double *costs)
{
	for (size_t i = 1; i < n; i++) {
		size_t t = v[i], j = i;

		while (j > 0 && by_cost(&v[j - 1], &t, costs) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = t;
	}
}

static int mkdir_p(const char *d)
{
	return mkdir(d, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

/* Parse "K/M" into a share. */
static bool parse_shard(const char *t, unsigned long *k, unsigned long *m)
{
	char *end;

	*k = strtoul(t, &end, 10);
	if (end == t || *end != '/')
		return false;
	t = end + 1;
	*m = strtoul(t, &end, 10);
	return end != t && !*end && *m > 0 && *k < *m;
}

/* The share of a Slurm array task: 1 (and *k, *m), 0 outside an array,
 * -1 when the array's variables make no share (e.g. a sparse --array). */
static int slurm_shard(unsigned long *k, unsigned long *m)
{
	const char *id = getenv("SLURM_ARRAY_TASK_ID"),
		   *mn = getenv("SLURM_ARRAY_TASK_MIN"),
		   *cnt = getenv("SLURM_ARRAY_TASK_COUNT");
	unsigned long i, lo;

	if (!id || !cnt)
		return 0;
	i = strtoul(id, NULL, 10);
	lo = mn ? strtoul(mn, NULL, 10) : 0;
	*m = strtoul(cnt, NULL, 10);
	if (i < lo || *m == 0 || i - lo >= *m)
		return -1;
	*k = i - lo;
	return 1;
}

int bsim_cli_sweep(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "filter", required_argument, NULL, 'f' },
		{ "output-dir", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "resume", no_argument, NULL, 'r' },
		{ "shard", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sweep_exec x = { 0 };
	struct bsim_expr *filter = NULL;
	struct bsim_sweep *s = NULL;
	struct bsim_cfg_err err;
	const char *ftext = NULL, *dir = NULL, *shard = NULL;
	char *text = NULL, **scen = NULL, msg[512];
	double *costs = NULL;
	bool *keep = NULL, resume = false, is_master = true, sharded,
	     mpi = false;
	int rank = 0, size = 1;
	unsigned long jobs = 1, sk = 0, sm = 1;
	size_t shown = 0, skipped = 0;
	int c, list = 0, rc = 0;
	struct sigaction sa;

	argv[0] = "blocsim sweep";
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:j:", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			list = 1;
			break;
		case 'f':
			ftext = optarg;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'j': {
			char *end;

			jobs = strtoul(optarg, &end, 10);
			if (*end || jobs < 1 || jobs > 4096) {
				fprintf(stderr,
					"blocsim sweep: -j %s: "
					"expected 1 to 4096\n",
					optarg);
				return 2;
			}
			break;
		}
		case 'r':
			resume = true;
			break;
		case 's':
			shard = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "blocsim sweep: expected one sweep file\n");
		usage(stderr);
		return 2;
	}
	if (!list && !dir) {
		fprintf(stderr, "blocsim sweep: give -o DIR to run the sweep "
				"(or --list to print its runs)\n");
		return 2;
	}
	if (shard && !parse_shard(shard, &sk, &sm)) {
		fprintf(stderr,
			"blocsim sweep: --shard %s: expected K/M with "
			"0 <= K < M\n",
			shard);
		return 2;
	}
	if (shard) {
		sharded = true;
	} else {
		int sl = slurm_shard(&sk, &sm);

		if (sl < 0) {
			fprintf(stderr,
				"blocsim sweep: SLURM_ARRAY_TASK_ID %s is not "
				"in MIN..MIN+COUNT-1 (%s..%s+%s-1): give the "
				"array as --array=0-(N-1), or use --shard "
				"K/M\n",
				getenv("SLURM_ARRAY_TASK_ID"),
				getenv("SLURM_ARRAY_TASK_MIN")
					? getenv("SLURM_ARRAY_TASK_MIN")
					: "0",
				getenv("SLURM_ARRAY_TASK_MIN")
					? getenv("SLURM_ARRAY_TASK_MIN")
					: "0",
				getenv("SLURM_ARRAY_TASK_COUNT"));
			return 2;
		}
		sharded = sl > 0;
	}
	if (ftext && bsim_expr_parse(ftext, "--filter", &filter, &err)) {
		fprintf(stderr, "blocsim sweep: %s\n", err.msg);
		return 2;
	}
	if (bsim_sweep_load(argv[optind], &s, &err)) {
		fprintf(stderr, "blocsim sweep: %s\n", err.msg);
		bsim_expr_destroy(filter);
		return 2;
	}
	keep = calloc(s->nruns + 1, sizeof(*keep));
	if (!keep) {
		rc = 1;
		goto done;
	}
	for (size_t r = 0; r < s->nruns; r++) {
		int k = 1;

		if (filter &&
		    (k = bsim_expr_eval(filter, &s->runs[r], &err)) < 0) {
			fprintf(stderr, "blocsim sweep: --filter: %s\n",
				err.msg);
			rc = 2;
			goto done;
		}
		keep[r] = k && (!sharded || r % sm == sk);
	}
	if (list) {
		for (size_t r = 0; r < s->nruns; r++) {
			const struct bsim_run *run = &s->runs[r];

			if (!keep[r])
				continue;
			printf("%s\treplication=%" PRIu64 "\tseed=%" PRIu64,
			       run->id, run->replication, run->seed);
			for (size_t i = 0; i < run->nparams; i++)
				printf("\t%s=%s", run->params[i].name,
				       run->params[i].value);
			printf("\n");
			shown++;
		}
		fprintf(stderr, "%zu of %zu runs (base %s)\n", shown, s->nruns,
			s->base);
		goto done;
	}
	/* Every run's scenario must load before anything runs. */
	scen = calloc(s->nruns + 1, sizeof(*scen));
	costs = calloc(s->nruns + 1, sizeof(*costs));
	x.todo = calloc(s->nruns + 1, sizeof(*x.todo));
	if (!scen || !costs || !x.todo) {
		rc = 1;
		goto done;
	}
	for (size_t r = 0; r < s->nruns; r++) {
		const struct bsim_run *run = &s->runs[r];
		char **sets =
			calloc(s->nset + run->nparams + 1, sizeof(char *));
		const char *topo = NULL;
		struct bsim_world *w = NULL;
		size_t ns;

		for (size_t i = 0; i < run->nparams; i++)
			if (!strcmp(run->params[i].name, "topology"))
				topo = run->params[i].value;
		if (topo) {
			const char *slash = strrchr(s->base, '/');
			size_t n = strlen(s->base) + strlen(topo) + 8;

			scen[r] = malloc(n);
			if (scen[r])
				snprintf(scen[r], n, "%.*s%s.yaml",
					 slash ? (int)(slash - s->base + 1) : 0,
					 s->base, topo);
		} else {
			scen[r] = strdup(s->base);
		}
		if (!sets || !scen[r]) {
			free(sets);
			rc = 1;
			goto done;
		}
		if (!keep[r]) {
			free(sets);
			continue;
		}
		ns = run_sets(s, r, sets);
		rc = bsim_scenario_load(scen[r], (const char *const *)sets, ns,
					&w, NULL, &err);
		free_sets(sets, ns);
		free(sets);
		if (rc) {
			fprintf(stderr, "blocsim sweep: run %s: %s\n", run->id,
				rc == BSIM_ENOMEM ? bsim_strerror(rc)
						  : err.msg);
			rc = rc == BSIM_ENOMEM ? 1 : 2;
			goto done;
		}
		costs[r] = cost_of(w);
		bsim_world_destroy(w);
	}
	/* The directory: rank 0 decides under MPI. */
	if ((mpi = sweep_mpi_launched()))
		sweep_mpi_init(&rank, &size);
	is_master = rank == 0;
	if (is_master) {
		struct stat st;
		char sub[PATH_MAX];

		if (stat(dir, &st) == 0 && !resume && !sharded) {
			fprintf(stderr,
				"blocsim sweep: %s exists; use --resume to "
				"run what is missing\n",
				dir);
			rc = 2;
		}
		snprintf(sub, sizeof(sub), "%s/runs", dir);
		if (!rc && (mkdir_p(dir) || mkdir_p(sub) ||
			    (snprintf(sub, sizeof(sub), "%s/logs", dir),
			     mkdir_p(sub)))) {
			fprintf(stderr, "blocsim sweep: cannot create %s: %s\n",
				dir, strerror(errno));
			rc = 2;
		}
	}
	if (mpi)
		rc = sweep_mpi_agree(rc);
	if (rc)
		goto done;
	text = read_text(argv[optind]);
	x.s = s;
	x.dir = dir;
	x.scenario = scen;
	x.t0 = bsim_cli_wall_now();
	x.progress = isatty(STDERR_FILENO);
	{
		ssize_t n =
			readlink("/proc/self/exe", x.self, sizeof(x.self) - 1);

		if (n <= 0) {
			fprintf(stderr, "blocsim sweep: cannot find the "
					"blocsim executable\n");
			rc = 1;
			goto done;
		}
		x.self[n] = '\0';
	}
	if (bsim_index_create(dir, s, text, &x.index)) {
		rc = 1;
		goto done;
	}
	/* What is left to do: kept, not complete; stale temporaries go. */
	if (bsim_index_write(x.index, msg, sizeof(msg))) {
		fprintf(stderr, "blocsim sweep: %s\n", msg);
		rc = 1;
		goto done;
	}
	for (size_t r = 0; r < s->nruns; r++) {
		if (!keep[r])
			continue;
		if (bsim_index_status(x.index, r) == BSIM_RUN_COMPLETE) {
			skipped++;
			continue;
		}
		sweep_remove_tmp(&x, r);
		x.todo[x.ntodo++] = r;
	}
	sort_todo(x.todo, x.ntodo, costs);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* No SA_RESTART: waits see EINTR. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (mpi) {
		rc = sweep_mpi(&x, rank, size);
	} else {
		x.nworkers = jobs;
		x.per_worker = calloc(jobs, sizeof(size_t));
		rc = x.per_worker ? sweep_local(&x, (unsigned)jobs) : 1;
	}
	if (x.progress && is_master)
		fputc('\n', stderr);
	if (is_master) {
		fprintf(stderr,
			"sweep %s: %zu complete, %zu failed, %zu skipped "
			"(already complete), %zu not run; %.1f s\n",
			dir, x.done - x.failed, x.failed, skipped,
			x.ntodo - x.done, bsim_cli_wall_now() - x.t0);
		fprintf(stderr, "  runs per worker:");
		for (size_t w = 0; w < x.nworkers; w++)
			fprintf(stderr, " %zu", x.per_worker[w]);
		fprintf(stderr, "\n");
	}
	if (rc == 0 && bsim_sweep_stop)
		rc = 128 + bsim_sweep_stop;
	else if (rc == 0 && is_master && (x.failed || x.done < x.ntodo))
		rc = 1;
done:
	if (mpi)
		sweep_mpi_finish();
	if (scen)
		for (size_t r = 0; r < s->nruns; r++)
			free(scen[r]);
	free(scen);
	free(costs);
	free(keep);
	free(text);
	free(x.todo);
	free(x.per_worker);
	bsim_index_destroy(x.index);
	bsim_sweep_destroy(s);
	bsim_expr_destroy(filter);
	return rc;
}
