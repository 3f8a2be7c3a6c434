#!/bin/bash
# A sweep as one MPI job: rank 0 hands out runs (longest expected first)
# and runs some itself, every rank runs one `blocsim run` process at a
# time, so 64 ranks keep 64 cores busy until the runs run out. Resubmit
# with --resume after a time limit.
#
#   sbatch --ntasks=64 cluster/slurm-mpi.sh scenarios/sweep-topologies.yaml results/topologies
#
#SBATCH --job-name=blocsim-mpi
#SBATCH --ntasks=64
#SBATCH --cpus-per-task=1
#SBATCH --mem-per-cpu=4G
#SBATCH --time=04:00:00
#SBATCH --signal=TERM@120
#SBATCH --output=slurm-%j.out
set -euo pipefail
SWEEP=${1:?usage: sbatch slurm-mpi.sh SWEEP.yaml DIR [--resume]}
DIR=${2:?usage: sbatch slurm-mpi.sh SWEEP.yaml DIR [--resume]}
shift 2
BLOCSIM=${BLOCSIM:-./build/blocsim}
exec mpirun "$BLOCSIM" sweep "$SWEEP" -o "$DIR" "$@"
