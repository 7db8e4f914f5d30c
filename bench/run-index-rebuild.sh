#!/usr/bin/env bash
# Runs the index rebuild benchmark (the index stage of a load, per index kind) and writes
# bench/results/<date>-index-rebuild/: the machine, the command and the output.
# Usage: bench/run-index-rebuild.sh [rows] [loads] [only the cases whose name contains this]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start index-rebuild
rows="${1:-1000000}"; loads="${2:-6}"; only="${3:-}"
cmd=("$JAVA" -XX:+UseZGC -Xms6g -Xmx6g -cp bench/target/benchmarks.jar io.hourglass.bench.IndexRebuildBench bench/target/index-rebuild "$rows" "$loads" "$only")
echo "${cmd[*]}" > "$out/commands.txt"
"${cmd[@]}" 2>&1 | grep -v '^WARNING' | grep -v 'INFO' | grep -v '^[A-Z][a-z][a-z] [0-9]' | tee "$out/output.txt"
echo "results in $out"
