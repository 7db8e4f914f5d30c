#!/usr/bin/env bash
# Runs the query planner's benchmarks and writes bench/results/<date>-semi-join/: the machine,
# the commands and the output. SemiJoinBenchmark: a small table's keys against a large one
# (MERGE, UPDATE ... IN, EXISTS; semi-join against scan); with "joins", JoinOrderBenchmark too
# (one customer's orders with FROM written both ways).
# Usage: bench/run-semi-join.sh [target rows] [source rows] [joins]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start semi-join
target="${1:-1000000}"; source="${2:-1000}"
cmd=("$JAVA" -Xmx6g -jar bench/target/benchmarks.jar SemiJoinBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -bm avgt -tu ms
     -p targetRows="$target" -p sourceRows="$source" -jvmArgs -Xmx6g)
echo "${cmd[*]}" > "$out/commands.txt"
"${cmd[@]}" -rf json -rff "$out/result.json" | tee "$out/output.txt"
if [ "${3:-}" = joins ]; then
  joins=("$JAVA" -Xmx6g -jar bench/target/benchmarks.jar JoinOrderBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -bm avgt -tu us -jvmArgs -Xmx6g)
  echo "${joins[*]}" >> "$out/commands.txt"
  "${joins[@]}" -rf json -rff "$out/joins.json" | tee "$out/joins.txt"
fi
echo "results in $out"
