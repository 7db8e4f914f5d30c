#!/usr/bin/env bash
# Runs the checkpoint benchmark (issue 4) and writes bench/results/<date>-checkpoint/: the
# machine, the command and the output. Usage: bench/run-checkpoint.sh [rows] [seconds per window] [load fraction] [CkptRate under load] [rounds]
# The database lives in bench/target/checkpoint, on the disk that holds the project.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start checkpoint
rows="${1:-1000000}"; secs="${2:-2}"; fraction="${3:-0.4}"; rate="${4:-0}"; rounds="${5:-8}"
cmd=("$JAVA" -XX:+UseZGC -Xms6g -Xmx6g -XX:+AlwaysPreTouch --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.hourglass.bench.CheckpointBench bench/target/checkpoint "$rows" "$secs" "$fraction" "$rate" "$rounds")
echo "${cmd[*]}" > "$out/commands.txt"
"${cmd[@]}" 2>&1 | grep -v '^WARNING' | tee "$out/output.txt"
echo "results in $out"
