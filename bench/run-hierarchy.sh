#!/usr/bin/env bash
# Runs HierarchyBenchmark and writes bench/results/<date>-hierarchy/: the machine, the command
# and the output. A subtree of a 1,000,000-row tree by START WITH ... CONNECT BY, with and
# without an index on the child's column.
# Usage: bench/run-hierarchy.sh [employees]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start hierarchy
cmd=("$JAVA" -Xmx6g -jar bench/target/benchmarks.jar HierarchyBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -bm avgt -tu ms
     -p employees="${1:-1000000}" -jvmArgs -Xmx6g)
echo "${cmd[*]}" > "$out/commands.txt"
"${cmd[@]}" -rf json -rff "$out/result.json" | tee "$out/output.txt"
echo "results in $out"
