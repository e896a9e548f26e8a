#!/usr/bin/env bash
# The sbatch recipe of docs/DISTRIBUTED.md, really run: a one-node Slurm
# cluster on this host from Debian's packages (munged with a generated key,
# slurmctld, slurmd, a generated slurm.conf naming this host), everything in
# a private temporary directory on ports nobody holds, so two of these (or
# a real Slurm on the machine) cannot collide. The recipe is submitted with
# sbatch --wait; its state hash must be the serial binary's for the same
# run. The daemons started here are stopped on the way out, whatever
# happens. Works as root with no systemd (a debootstrap chroot).
#
# Usage: slurm_test.sh SLOTSIM SLOTSIM_MPI docs/DISTRIBUTED.md PYTHON
# Exit 77 (skipped) when a Slurm or munge program is missing.
set -euo pipefail
SLOTSIM=$1
SLOTSIM_MPI=$2
DOC=$3
PYTHON=${4:-python3}

for tool in munged slurmctld slurmd sbatch sinfo scontrol hostname; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
    echo "skip: $tool is not installed (slurm-wlm, munge)"
    exit 77
  fi
done
# slurmd 22.05 initialises its cgroup plugin whatever the task and
# proctrack plugins are, and fails without a cgroup filesystem. Every
# systemd machine has one; a bare chroot or container may not (the fresh
# Debian 12 root of ../shared/tools/fresh-debian12.sh mounts /sys only):
# there the test says why and is skipped rather than failed.
if ! grep -q " /sys/fs/cgroup " /proc/self/mounts 2>/dev/null; then
  echo "skip: no cgroup filesystem at /sys/fs/cgroup, which slurmd needs (a chroot or container without one)"
  exit 77
fi
export PATH="$PATH:/usr/sbin:/sbin"

D=$(mktemp -d /tmp/slotsim-slurm.XXXXXX)
chmod 755 "$D"  # munged wants its socket's directory traversable
ok=0
stop() {
  for p in slurmd slurmctld munged; do
    if [ -f "$D/$p.pid" ]; then kill "$(cat "$D/$p.pid")" 2>/dev/null || true; fi
  done
  # Wait for them to go (at most 10 s), so nothing of ours outlives the test.
  for _ in $(seq 50); do
    alive=0
    for p in slurmd slurmctld munged; do
      [ -f "$D/$p.pid" ] && kill -0 "$(cat "$D/$p.pid" 2>/dev/null)" 2>/dev/null && alive=1
    done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  if [ "$ok" != 1 ]; then
    for f in munged.log slurmctld.log slurmd.log job.out; do
      [ -f "$D/$f" ] && { echo "--- $f"; tail -n 30 "$D/$f"; }
    done
  fi
  rm -rf "$D"
}
trap stop EXIT

# The recipe is the fenced block after the marker in the docs: the test
# runs what users copy.
"$PYTHON" - "$DOC" > "$D/recipe.sbatch" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<!-- sbatch recipe -->\s*```(?:bash|sh)?\n(.*?)```", text, re.S)
if not m:
    sys.exit("no sbatch recipe (<!-- sbatch recipe --> and a fenced block) in " + sys.argv[1])
print(m.group(1), end="")
EOF

host=$(hostname -s)
read -r ctld_port slurmd_port < <("$PYTHON" -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("", 0))
print(*[x.getsockname()[1] for x in s])')

# munge: a fresh key, its own socket.
dd if=/dev/urandom bs=1 count=1024 of="$D/munge.key" 2>/dev/null
chmod 400 "$D/munge.key"
munged --force --key-file="$D/munge.key" --socket="$D/munge.sock" --pid-file="$D/munged.pid" \
  --log-file="$D/munged.log" --seed-file="$D/munged.seed"

mkdir -p "$D/state" "$D/spool"
# Two CPUs declared whatever the host has (config_overrides): the recipe
# runs 2 ranks, oversubscribed on a 1-core machine.
# Addresses are given as 127.0.0.1: the host's own name need not resolve
# (a fresh container's /etc/hosts does not name it; slurmctld then fails
# with "Unable to resolve" and the node never comes up).
cat > "$D/slurm.conf" <<EOF
ClusterName=slotsim-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$D/munge.sock
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 NodeHostname=$host CPUs=2 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
export SLURM_CONF="$D/slurm.conf"
slurmctld -f "$D/slurm.conf"
slurmd -f "$D/slurm.conf"
for _ in $(seq 100); do
  state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
echo "slurm: node $host is '${state:-unknown}' (slurmctld port $ctld_port, slurmd port $slurmd_port)"
[ "$state" = idle ] || { echo "FAIL: the node never became idle"; exit 1; }

# The recipe at the test's size: the job's flags from the environment it
# reads, the allocation from sbatch's command line (which overrides the
# recipe's #SBATCH lines).
args=(--solver pm --grid 32 -n 3000 --steps 3 --seed 7)
cd "$D"
SECONDS=0
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 HWLOC_COMPONENTS=-gl \
  SLOTSIM_MPI="$SLOTSIM_MPI" SLOTSIM_ARGS="${args[*]}" \
  sbatch --wait --nodes=1 --ntasks=2 --cpus-per-task=1 --time=5 --output="$D/job.out" \
  --export=ALL "$D/recipe.sbatch"
echo "sbatch: the job ended after ${SECONDS} s"
got=$(grep -o '| state hash | [0-9a-f]*' "$D/job.out" | awk '{print $5}')
want=$("$SLOTSIM" batch -q "${args[@]}" | grep -o '| state hash | [0-9a-f]*' | awk '{print $5}')
echo "state hash: sbatch job $got, serial $want"
grep -q '| ranks | 2 |' "$D/job.out" || { echo "FAIL: the job did not run on 2 ranks"; exit 1; }
[ -n "$got" ] && [ "$got" = "$want" ] || { echo "FAIL: the job's hash differs from the serial run's"; exit 1; }
ls "$D"/slotsim-*.json >/dev/null 2>&1 || { echo "FAIL: the recipe's JSON report is missing"; exit 1; }
ok=1
echo "slurm recipe: ok"
