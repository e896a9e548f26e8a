#!/bin/sh
# Runs one rank's command, records its exit status in
# $RANK_EXIT_DIR/rank.<rank>, and exits with it: how the MPI tests check
# that every rank ends with the same code (mpirun reports only one).
"$@"
rc=$?
echo "$rc" > "$RANK_EXIT_DIR/rank.${OMPI_COMM_WORLD_RANK:-0}"
exit "$rc"
