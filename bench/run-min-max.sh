#!/usr/bin/env bash
# Runs TopNBenchmark's MIN/MAX cases and writes bench/results/<date>-min-max/: the machine, the
# command and the output. SELECT MAX(code) and SELECT MIN(code), MAX(code) over a 1,000,000-row
# table, each a walk from a range index's end (order=index), against the same aggregates of
# code + 0, which no index gives (order=sort: every row read).
# Usage: bench/run-min-max.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start min-max
jmh_avgt result.json output.txt TopNBenchmark us -p rows="${1:-1000000}" -p query=max,range
echo "results in $out"
