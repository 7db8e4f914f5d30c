#!/usr/bin/env bash
# Runs TemporaryTableBenchmark and writes bench/results/<date>-temporary/: the machine, the
# command and the output. A transaction's working set (rows inserted, summed, gone at the commit)
# in a GLOBAL TEMPORARY table ON COMMIT DELETE ROWS against an ordinary table the transaction
# empties itself, on a logged database, with non-durable and durable commits.
# Usage: bench/run-temporary.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start temporary
jmh_avgt result.json output.txt TemporaryTableBenchmark us -p rows="${1:-100}"
echo "results in $out"
