#!/usr/bin/env bash
# Times ttBackup (fileFull) and ttRestore of one database (BackupBench), each from a cold page
# cache when this user may drop it, with the page cache's growth; writes
# bench/results/<date>-backup/: the machine, the command and the output.
# Usage: bench/run-backup.sh [rows] [rounds] [baseline benchmarks.jar]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start backup
rows="${1:-300000}"; rounds="${2:-5}"; baseline="${3:-}"
rm -rf bench/target/backup
cmd=("$JAVA" -Xmx4g --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.hourglass.bench.BackupBench bench/target/backup "$rows" "$rounds")
echo "${cmd[*]}" > "$out/commands.txt"
"${cmd[@]}" 2>&1 | grep '^round' | tee "$out/output.txt"
if [ -n "$baseline" ]; then
  # The same rounds with another build's engine, on the same database, for comparison.
  base=("$JAVA" -Xmx4g --enable-native-access=ALL-UNNAMED -cp "$baseline" io.hourglass.bench.BackupBench bench/target/backup "$rows" "$rounds")
  echo "baseline: ${base[*]}" >> "$out/commands.txt"
  "${base[@]}" 2>&1 | grep '^round' | tee "$out/baseline-output.txt"
fi
echo "results in $out"
