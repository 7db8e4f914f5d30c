#!/usr/bin/env bash
# Runs the durability benchmark (issue 3) and writes bench/results/<date>-durability/: the
# machine, the command and the output. Usage: bench/run-durability.sh [seconds per phase]
# The log directory is bench/target/durability, on the disk that holds the project.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start durability
secs="${1:-5}"
cmd=("$JAVA" -Xmx4g -cp bench/target/benchmarks.jar io.hourglass.bench.DurabilityBench bench/target/durability "$secs")
echo "${cmd[*]}" > "$out/commands.txt"
"${cmd[@]}" 2>&1 | grep -v '^WARNING' | tee "$out/output.txt"
echo "results in $out"
