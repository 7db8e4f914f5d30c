#!/usr/bin/env bash
# Times loads of a 1,000,000-row TPTBM database at a process start: each round drops the page
# cache (when this user may) and opens the database in a fresh JVM (CheckpointBench$LoadOnce,
# the JVM settings of CheckpointBench's startup measure). With a baseline benchmarks jar (built
# from another commit), every round runs both, in alternating order, for a before/after on the
# same machine at the same time. The JVM runs as docs/OPERATIONS.md advises for ZGC (an initial
# heap about the data's size, not the whole heap: ZGC commits and zeroes all of -Xms before main);
# LOAD_JVM_OPTS replaces those options. Writes bench/results/<date>-load/: machine, command, output.
# Usage: [LOAD_JVM_OPTS="..."] bench/run-load.sh [rounds] [baseline benchmarks.jar]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start load
rounds="${1:-10}"
baseline="${2:-}"
store=bench/target/load/tptbm
mkdir -p bench/target/load
read -r -a opts <<< "${LOAD_JVM_OPTS:--XX:+UseZGC -Xms1g -Xmx6g}"
jvm=("$JAVA" "${opts[@]}" --enable-native-access=ALL-UNNAMED)
main='io.hourglass.bench.CheckpointBench$LoadOnce'
"${jvm[@]}" -cp bench/target/benchmarks.jar "$main" "$store" make 1000000
echo "${jvm[*]} -cp <jar> $main $store 1 1 cold   (per round, after sync; echo 3 > /proc/sys/vm/drop_caches)" > "$out/commands.txt"
[ -n "$baseline" ] && echo "baseline jar: $baseline" >> "$out/commands.txt"
load() {
  local cache=warm
  if sync && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then cache=cold; fi
  echo "$1: $("${jvm[@]}" -cp "$2" "$main" "$store" 1 1 "$cache" 2>/dev/null | grep '^load')"
}
for r in $(seq "$rounds"); do
  if [ -z "$baseline" ]; then load this bench/target/benchmarks.jar
  elif [ $((r % 2)) = 1 ]; then load this bench/target/benchmarks.jar; load baseline "$baseline"
  else load baseline "$baseline"; load this bench/target/benchmarks.jar; fi
done | tee "$out/output.txt"
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] " ms (of " NR ")" }'; }
for who in this baseline; do
  grep -q "^$who:" "$out/output.txt" || continue
  echo "$who: median image $(grep "^$who:" "$out/output.txt" | sed 's/.*image \([0-9]*\) ms.*/\1/' | median)," \
       "whole recovery $(grep "^$who:" "$out/output.txt" | sed 's/.*whole recovery \([0-9]*\) ms.*/\1/' | median)," \
       "process start to loaded $(grep "^$who:" "$out/output.txt" | sed 's/.*start to loaded \([0-9]*\) ms.*/\1/' | median)"
done | tee -a "$out/output.txt"
echo "results in $out"
