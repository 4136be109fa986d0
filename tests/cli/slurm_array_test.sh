#!/usr/bin/env bash
# scripts/slurm/parla-array.sbatch on a real single-node Slurm (Debian's slurm-wlm and
# munge), started here as root in a temporary folder on free ports:
#  1. an array of 4 tasks over 12 jobs renders all 12 outputs, each exactly once;
#  2. over a fresh folder, task 1 is cancelled (scancel) while it renders its second job,
#     leaving no partial file; resubmitted alone (PARLA_SHARDS=4 sbatch --array=1), it
#     renders only the jobs it had not finished.
# Skips (exit 77) only without the Slurm/munge binaries or root. Usage:
#   slurm_array_test.sh PARLA_EXE DATA_DIR SBATCH_SCRIPT
set -uo pipefail

parla=$(realpath "$1")
data=$(realpath "$2")
sbatch_script=$(realpath "$3")

for tool in munged mungekey slurmctld slurmd sbatch squeue scancel scontrol sinfo ffmpeg; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool not found (scripts/setup.sh installs slurm-wlm and munge)"
    exit 77
  fi
done
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: slurmd must start as root to run jobs (run this test as root, as CI does)"
  exit 77
fi

tmp=$(mktemp -d /tmp/parla-slurm-test.XXXXXX)
chmod 755 "$tmp"
export SLURM_CONF=$tmp/slurm.conf

fail() {
  echo "FAIL: $*"
  for log in "$tmp"/log/*.log "$tmp"/run*/task-*.log; do
    [ -f "$log" ] && { echo "--- $log"; tail -n 20 "$log"; }
  done
  exit 1
}

cleanup() {
  scontrol shutdown >/dev/null 2>&1
  for pidfile in "$tmp/slurmctld.pid" "$tmp/slurmd.pid"; do
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile" 2>/dev/null) || continue
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill "$pid" 2>/dev/null
    fi
  done
  [ -S "$tmp/munge/munge.socket.2" ] && munged --stop --socket="$tmp/munge/munge.socket.2" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT

# Two free TCP ports next to each other (none of this machine's daemons listens there).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 50); do
  port=$((20000 + RANDOM % 20000))
  port_free "$port" && port_free $((port + 1)) && break
done

# --- munge with its own key and socket
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/log"
chmod 711 "$tmp/munge"
mungekey --create --keyfile="$tmp/munge/munge.key" || fail "mungekey"
chmod 400 "$tmp/munge/munge.key"
munged --force --socket="$tmp/munge/munge.socket.2" --key-file="$tmp/munge/munge.key" \
  --log-file="$tmp/log/munged.log" --pid-file="$tmp/munge/munged.pid" \
  --seed-file="$tmp/munge/munged.seed" || fail "munged did not start"

# --- slurm.conf: this node as it is (CPUs, memory from slurmd -C), no cgroups
cpus=$(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p')
memory=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
cat >"$SLURM_CONF" <<EOF
ClusterName=parlatest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.socket.2
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
KillWait=10
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=parla Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -f "$SLURM_CONF" -i || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" -N localhost || fail "slurmd did not start"
for _ in $(seq 100); do
  [ "$(sinfo -h -o %T 2>/dev/null)" = "idle" ] && break
  sleep 0.2
done
[ "$(sinfo -h -o %T 2>/dev/null)" = "idle" ] || fail "the node did not come up: $(sinfo 2>&1)"
echo "slurm up on ports $port-$((port + 1)): $cpus CPUs, $memory MB"

# --- inputs: 1 s of the sample speech at 128x128 (landmarks given: no dlib load), and
# a 40 s clip for the job that gets cancelled mid-render
ffmpeg -v error -y -stream_loop 4 -i "$data/sample/speech.flac" -t 40 "$tmp/long.flac" || fail "ffmpeg"
write_jobs() {  # FILE LONG_INDEX: 12 jobs; the job at LONG_INDEX reads the long clip
  printf 'portrait\taudio\toutput\toptions\n# made by slurm_array_test.sh\n' >"$1"
  for i in $(seq 0 11); do
    audio="$data/sample/speech.flac"
    opts="--size 128 --duration 1 --seed $i --landmarks $data/sample/portrait.landmarks.json"
    if [ "$i" = "$2" ]; then audio=$tmp/long.flac; opts="--size 128 --seed $i --landmarks $data/sample/portrait.landmarks.json"; fi
    printf '%s\t%s\t%s\t%s\n' "$data/sample/portrait.png" "$audio" "clips/job$i.mp4" "$opts" >>"$1"
  done
}

submit() {  # RUN_DIR JOBS OUT [sbatch options...]: prints the job id
  local run=$1 jobs=$2 out=$3
  shift 3
  sbatch --parsable --chdir="$run" --output="$run/task-%A_%a.log" --cpus-per-task=1 --export=ALL \
    "$@" "$sbatch_script" "$jobs" "$out" || fail "sbatch"
}

wait_done() {  # JOB_ID: until no task of it is queued or running
  for _ in $(seq 1200); do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 0.25
  done
  fail "job $1 still queued or running after 300 s: $(squeue 2>&1)"
}

# "done" lines per output over every shard's log, e.g. "1 clips/job0.mp4".
done_counts() { cat "$1"/.parla-batch/log-shard*.tsv | awk -F'\t' '$2 == "done" {print $5}' | sort | uniq -c; }

check_all_once() {  # OUT: 12 outputs, each rendered exactly once, no partial files
  for i in $(seq 0 11); do
    [ -s "$1/clips/job$i.mp4" ] || fail "missing output $1/clips/job$i.mp4"
  done
  [ "$(done_counts "$1" | wc -l)" = 12 ] || fail "not 12 rendered outputs in the logs: $(done_counts "$1")"
  [ "$(done_counts "$1" | awk '$1 != 1' | wc -l)" = 0 ] || fail "an output rendered twice: $(done_counts "$1")"
  [ -z "$(find "$1" -name '*.partial-*')" ] || fail "partial files left: $(find "$1" -name '*.partial-*')"
}

export PARLA=$parla

# --- 1. an array of 4 tasks over 12 jobs
mkdir -p "$tmp/run1"
write_jobs "$tmp/run1/jobs.tsv" -1
job=$(submit "$tmp/run1" "$tmp/run1/jobs.tsv" "$tmp/run1/out" --array=0-3)
echo "submitted array $job (4 tasks, 12 jobs)"
wait_done "$job"
check_all_once "$tmp/run1/out"
for s in 0 1 2 3; do
  grep -q '"done": 3' "$tmp/run1/out/batch-summary-shard$s.json" || fail "shard $s did not render its 3 jobs"
done
echo "PASS 1: 12 outputs from 4 array tasks, each rendered once"

# --- 2. cancel task 1 during its second job (job 5, 40 s of audio), then resubmit it
mkdir -p "$tmp/run2"
write_jobs "$tmp/run2/jobs.tsv" 5
out=$tmp/run2/out
job=$(submit "$tmp/run2" "$tmp/run2/jobs.tsv" "$out" --array=0-3)
for _ in $(seq 1200); do
  grep -qP '\tdone\t1\t' "$out/.parla-batch/log-shard1.tsv" 2>/dev/null && break
  sleep 0.05
done
grep -qP '\tdone\t1\t' "$out/.parla-batch/log-shard1.tsv" || fail "task 1 never finished its first job"
[ -e "$out/clips/job5.mp4" ] && fail "job 5 finished before the cancel: the test cannot cancel mid-run"
scancel "${job}_1" || fail "scancel"
wait_done "$job"
[ -e "$out/clips/job5.mp4" ] && fail "job 5 finished although its task was cancelled mid-render"
[ -z "$(find "$out" -name '*.partial-*')" ] || fail "the cancelled task left partial files"
grep -q '"interrupted_by": "SIGTERM"' "$out/batch-summary-shard1.json" ||
  fail "the cancelled task wrote no summary naming SIGTERM: $(cat "$out/batch-summary-shard1.json" 2>&1)"
echo "task 1 cancelled mid-run: $(tr -d '\n ' <"$out/batch-summary-shard1.json" | grep -o '"totals":{[^}]*}')"

job=$(PARLA_SHARDS=4 submit "$tmp/run2" "$tmp/run2/jobs.tsv" "$out" --array=1)
wait_done "$job"
check_all_once "$out"
grep -q '"skipped": 1' "$out/batch-summary-shard1.json" && grep -q '"done": 2' "$out/batch-summary-shard1.json" ||
  fail "the resubmitted task did not skip 1 and render 2: $(cat "$out/batch-summary-shard1.json")"
echo "PASS 2: the resubmitted task skipped its finished job and rendered the other 2"
exit 0
