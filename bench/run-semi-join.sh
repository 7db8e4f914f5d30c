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
jmh_avgt result.json output.txt SemiJoinBenchmark ms -p targetRows="$target" -p sourceRows="$source"
if [ "${3:-}" = joins ]; then
  jmh_avgt joins.json joins.txt JoinOrderBenchmark us
fi
echo "results in $out"
