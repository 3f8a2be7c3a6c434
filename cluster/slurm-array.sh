#!/bin/bash
# A sweep as a Slurm job array: each array task runs one share of the
# runs (run r belongs to share r mod SLURM_ARRAY_TASK_COUNT), all into one
# directory on a shared filesystem; any task may rewrite the index. When
# the time limit's SIGTERM arrives, finished runs stay, the runs in
# progress leave no complete-looking file, and a resubmission (or
# `blocsim sweep ... --resume`) runs only what is missing.
#
#   sbatch --array=0-15 cluster/slurm-array.sh scenarios/sweep-topologies.yaml results/topologies
#
#SBATCH --job-name=blocsim-sweep
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=02:00:00
#SBATCH --signal=TERM@120
#SBATCH --output=slurm-%A_%a.out
set -euo pipefail
SWEEP=${1:?usage: sbatch --array=0-N slurm-array.sh SWEEP.yaml DIR}
DIR=${2:?usage: sbatch --array=0-N slurm-array.sh SWEEP.yaml DIR}
BLOCSIM=${BLOCSIM:-./build/blocsim}
# The share comes from SLURM_ARRAY_TASK_ID/_MIN/_COUNT; -j uses the task's
# cores. exec: Slurm's SIGTERM reaches blocsim itself.
exec "$BLOCSIM" sweep "$SWEEP" -o "$DIR" -j "${SLURM_CPUS_PER_TASK:-1}"
