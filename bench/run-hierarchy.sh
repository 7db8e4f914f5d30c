#!/usr/bin/env bash
# Runs HierarchyBenchmark and writes bench/results/<date>-hierarchy/: the machine, the command
# and the output. A subtree of a 1,000,000-row tree by START WITH ... CONNECT BY and by a
# recursive WITH query, with and without an index on the child's column.
# Usage: bench/run-hierarchy.sh [employees]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start hierarchy
jmh_avgt result.json output.txt HierarchyBenchmark ms -p employees="${1:-1000000}"
echo "results in $out"
