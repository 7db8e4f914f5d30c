#!/usr/bin/env bash
# Runs RowIdBenchmark and writes bench/results/<date>-rowid/: the machine, the command
# and the output. A point read of one row of a 1,000,000-row table by its ROWID, its primary key (hash) and a
# unique range index.
# Usage: bench/run-rowid.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start rowid
jmh_avgt result.json output.txt RowIdBenchmark us -p rows="${1:-1000000}"
echo "results in $out"
