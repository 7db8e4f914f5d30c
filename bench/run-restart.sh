#!/usr/bin/env bash
# Times restarts of a small persistent database (RestartBench), each in a fresh JVM: first from
# a cold page cache (when this user may drop caches), then warm. Writes
# bench/results/<date>-restart/: the machine, the command and the output.
# Usage: bench/run-restart.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start restart
rounds="${1:-5}"
rm -rf bench/target/restart
cmd=("$JAVA" -cp bench/target/benchmarks.jar io.hourglass.bench.RestartBench bench/target/restart)
echo "${cmd[*]}   (once to make the database, then per round: drop caches, run; run again warm)" > "$out/commands.txt"
"${cmd[@]}" > /dev/null 2>&1
for r in $(seq "$rounds"); do
  cold="warm"
  if sync && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then cold="cold"; fi
  echo "round $r, $cold: $("${cmd[@]}" 2>/dev/null | grep '^open')"
  echo "round $r, warm: $("${cmd[@]}" 2>/dev/null | grep '^open')"
done | tee "$out/output.txt"
echo "results in $out"
