#!/usr/bin/env bash
# Runs RowIdBenchmark and writes bench/results/<date>-rowid/: the machine, the command
# and the output. A point read of one row of a 1,000,000-row table by its ROWID, its primary key (hash) and a
# unique range index.
# Usage: bench/run-rowid.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start rowid
cmd=("$JAVA" -Xmx6g -jar bench/target/benchmarks.jar RowIdBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -bm avgt -tu us
     -p rows="${1:-1000000}" -jvmArgs -Xmx6g)
echo "${cmd[*]}" > "$out/commands.txt"
"${cmd[@]}" -rf json -rff "$out/result.json" | tee "$out/output.txt"
echo "results in $out"
