#!/usr/bin/env bash
# Runs RowIdBenchmark's point read by primary key with and without LRU aging on the table, and
# writes bench/results/<date>-lru/: the machine, the command and the output. What recording each
# row's use costs a read.
# Usage: bench/run-lru.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start lru
jmh_avgt result.json output.txt RowIdBenchmark us -p rows="${1:-1000000}" -p by=primaryKey,range -p aging=none,lru
echo "results in $out"
