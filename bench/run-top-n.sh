#!/usr/bin/env bash
# Runs TopNBenchmark and writes bench/results/<date>-top-n/: the machine, the command and the
# output. ORDER BY ... FETCH FIRST n over a 1,000,000-row table, read in a range index's order
# and stopped at the limit, against the same query sorted (a top-N heap over every row): a page
# of the newest 20 rows, a queue worker's FOR UPDATE SKIP LOCKED past 100 held jobs, and MAX of
# an indexed column.
# Usage: bench/run-top-n.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start top-n
jmh_avgt result.json output.txt TopNBenchmark us -p rows="${1:-1000000}"
echo "results in $out"
