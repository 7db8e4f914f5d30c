#!/usr/bin/env bash
# Runs the checkpoint benchmark (issue 4) and writes bench/results/<date>-checkpoint/: the
# machine, the command and the output. Usage: bench/run-checkpoint.sh [rows] [seconds per window] [load fraction] [CkptRate under load] [rounds]
# The database lives in bench/target/checkpoint, on the disk that holds the project.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
./mvnw -B -q -f bench/pom.xml package
out="bench/results/$(date -u +%Y-%m-%d)-checkpoint"
mkdir -p "$out"
rows="${1:-1000000}"; secs="${2:-2}"; fraction="${3:-0.4}"; rate="${4:-0}"; rounds="${5:-8}"
. bench/machine-info.sh
machine_info "$JAVA" > "$out/machine.txt"
cmd=("$JAVA" -XX:+UseZGC -Xms6g -Xmx6g -XX:+AlwaysPreTouch --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.hourglass.bench.CheckpointBench bench/target/checkpoint "$rows" "$secs" "$fraction" "$rate" "$rounds")
echo "${cmd[*]}" > "$out/commands.txt"
"${cmd[@]}" 2>&1 | grep -v '^WARNING' | tee "$out/output.txt"
echo "results in $out"
