/* SPDX-License-Identifier: MIT */
/*
 * Sweeps over MPI ranks. Rank 0 hands out runs one at a time, longest
 * expected first, and runs some itself between messages, so no rank sits
 * idle while runs remain; every run is still its own `blocsim run`
 * process. Only `blocsim sweep` under mpirun calls MPI_Init.
 */
#include "sweep_exec.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#ifdef BSIM_HAVE_MPI
#include <mpi.h>

#define TAG_REQUEST 1 /* worker -> master: {last run, its wait status} */
#define TAG_WORK 2    /* master -> worker: run index, or -1 to stop */

bool sweep_mpi_launched(void)
{
	return getenv("OMPI_COMM_WORLD_SIZE") != NULL;
}

static void nap(void)
{
	struct timespec ts = { 0, 2000000 }; /* 2 ms */

	nanosleep(&ts, NULL);
}

static int master(struct sweep_exec *x, int size)
{
	size_t next = 0;
	int workers = size - 1;
	pid_t own = 0;
	size_t own_run = 0;

	for (;;) {
		bool busy = false;
		int flag = 0, st;
		MPI_Status ms;

		if (bsim_sweep_stop && own > 0)
			kill(own, SIGTERM);
		if (own == 0 && !bsim_sweep_stop && next < x->ntodo) {
			own_run = x->todo[next++];
			own = sweep_spawn(x, own_run);
			if (own < 0) {
				own = 0;
				sweep_finish(x, own_run, 127 << 8, 0);
			}
			busy = true;
		}
		if (own > 0 && waitpid(own, &st, WNOHANG) == own) {
			own = 0;
			sweep_finish(x, own_run, st, 0);
			busy = true;
		}
		MPI_Iprobe(MPI_ANY_SOURCE, TAG_REQUEST, MPI_COMM_WORLD, &flag,
			   &ms);
		if (flag) {
			int64_t msg[2], work = -1;

			MPI_Recv(msg, 2, MPI_INT64_T, ms.MPI_SOURCE,
				 TAG_REQUEST, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
			if (msg[0] >= 0)
				sweep_finish(x, (size_t)msg[0], (int)msg[1],
					     (size_t)ms.MPI_SOURCE);
			if (!bsim_sweep_stop && next < x->ntodo)
				work = (int64_t)x->todo[next++];
			else
				workers--;
			MPI_Send(&work, 1, MPI_INT64_T, ms.MPI_SOURCE, TAG_WORK,
				 MPI_COMM_WORLD);
			busy = true;
		}
		if (own == 0 && workers == 0 &&
		    (next >= x->ntodo || bsim_sweep_stop))
			break;
		if (!busy)
			nap();
	}
	return 0;
}

static int worker(struct sweep_exec *x)
{
	int64_t msg[2] = { -1, 0 }, work;

	for (;;) {
		pid_t pid;
		int st = 0;

		MPI_Send(msg, 2, MPI_INT64_T, 0, TAG_REQUEST, MPI_COMM_WORLD);
		MPI_Recv(&work, 1, MPI_INT64_T, 0, TAG_WORK, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
		if (work < 0)
			break;
		pid = bsim_sweep_stop ? -1 : sweep_spawn(x, (size_t)work);
		if (pid < 0) {
			st = 127 << 8;
		} else {
			bool killed = false;

			for (;;) {
				pid_t got = waitpid(pid, &st, WNOHANG);

				if (got == pid || (got < 0 && errno != EINTR))
					break;
				if (bsim_sweep_stop && !killed) {
					kill(pid, SIGTERM);
					killed = true;
				}
				nap();
			}
		}
		msg[0] = work;
		msg[1] = st;
	}
	return 0;
}

void sweep_mpi_init(int *rank, int *size)
{
	MPI_Init(NULL, NULL);
	MPI_Comm_rank(MPI_COMM_WORLD, rank);
	MPI_Comm_size(MPI_COMM_WORLD, size);
}

int sweep_mpi_agree(int status)
{
	MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
	return status;
}

int sweep_mpi(struct sweep_exec *x, int rank, int size)
{
	x->nworkers = (size_t)size;
	x->per_worker = calloc((size_t)size, sizeof(size_t));
	if (!x->per_worker)
		MPI_Abort(MPI_COMM_WORLD, 1);
	if (rank != 0)
		x->progress = false;
	return rank == 0 ? master(x, size) : worker(x);
}

void sweep_mpi_finish(void)
{
	MPI_Finalize();
}

#else

bool sweep_mpi_launched(void)
{
	return false;
}

void sweep_mpi_init(int *rank, int *size)
{
	*rank = 0;
	*size = 1;
}

int sweep_mpi_agree(int status)
{
	return status;
}

int sweep_mpi(struct sweep_exec *x, int rank, int size)
{
	(void)x;
	(void)rank;
	(void)size;
	return 1;
}

void sweep_mpi_finish(void)
{
}

#endif
