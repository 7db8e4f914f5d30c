#!/usr/bin/env bash
# Times loads of the 1,000,000-row TPTBM database of bench/run-load.sh at a start of the native
# binary (the service, as kubernetes/ runs it): each round drops the page cache (when this user
# may), starts the binary on the database with the archive off, and reads the service's own
# "loaded" line (whole recovery, checkpoint image, log, indexes); then stops it. With a baseline
# binary (built from another commit), every round runs both, in alternating order.
# Writes bench/results/<date>-load-native/: machine, command and output.
# Usage: [NATIVE_OPTS="..."] bench/run-load-native.sh [rounds] [binary] [baseline binary]
#   binary defaults to target/*-runner (native/build.sh); NATIVE_OPTS defaults to -Xms1g -Xmx6g
#   (the serial collector's heap given at start: a heap grown under a load collects at each step).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start load-native
rounds="${1:-10}"
binary="${2:-$(ls target/*-runner 2>/dev/null | head -n 1)}"
baseline="${3:-}"
[ -x "$binary" ] || { echo "no native binary (build one with native/build.sh)" >&2; exit 2; }
store="$PWD/bench/target/load/tptbm"
mkdir -p bench/target/load
read -r -a opts <<< "${NATIVE_OPTS:--Xms1g -Xmx6g}"
"$JAVA" -XX:+UseZGC -Xms1g -Xmx6g --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar \
  'io.hourglass.bench.CheckpointBench$LoadOnce' "$store" make 1000000
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
settings=(-Dhourglass.databases.tptbm.data-store="$store" -Dhourglass.databases.tptbm.log-dir="$(dirname "$store")"
          -Dhourglass.databases.tptbm.perm-size=2048 -Dhourglass.databases.sampledb.temporary=true
          -Dhourglass.archive.enabled=false -Dquarkus.http.port=18091)
echo "<binary> ${opts[*]} ${settings[*]}   (HOURGLASS_ADMIN_PASSWORD set; per round, after sync; echo 3 > /proc/sys/vm/drop_caches)" > "$out/commands.txt"
echo "binary: $binary" >> "$out/commands.txt"
[ -n "$baseline" ] && echo "baseline binary: $baseline" >> "$out/commands.txt"
load() {
  local cache=warm log="$work/$1.log"
  if sync && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then cache=cold; fi
  (cd "$work" && HOURGLASS_ADMIN_PASSWORD=bench-admin-pw exec "$2" "${opts[@]}" "${settings[@]}") > "$log" 2>&1 &
  local pid=$!
  for _ in $(seq 600); do grep -q "started in\|ERROR" "$log" && break; sleep 0.05; done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$1 ($cache): $(grep -o 'Database tptbm loaded.*' "$log" | sed 's/.*: \([0-9]* row(s)\)/\1/')"
}
for r in $(seq "$rounds"); do
  if [ -z "$baseline" ]; then load this "$binary"
  elif [ $((r % 2)) = 1 ]; then load this "$binary"; load baseline "$baseline"
  else load baseline "$baseline"; load this "$binary"; fi
done | tee "$out/output.txt"
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] " ms (of " NR ")" }'; }
for who in this baseline; do
  grep -q "^$who " "$out/output.txt" || continue
  echo "$who: median image $(grep "^$who " "$out/output.txt" | sed 's/.*checkpoint image \([0-9]*\) ms.*/\1/' | median)," \
       "whole recovery $(grep "^$who " "$out/output.txt" | sed 's/.* in \([0-9]*\) ms (checkpoint.*/\1/' | median)"
done | tee -a "$out/output.txt"
echo "results in $out"
