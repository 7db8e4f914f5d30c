#!/usr/bin/env bash
# Times a READONLY cache group over a real PostgreSQL server on this machine (CacheBench): LOAD,
# an unchanged REFRESH, an incremental autorefresh of a burst of updates, and the lag of one
# change; then SYNCHRONOUS and ASYNCHRONOUS WRITETHROUGH commits (and the latter's lag to
# PostgreSQL); writes bench/results/<date>-cache/ (with "awt" as the fourth argument, only the
# ASYNCHRONOUS WRITETHROUGH part, in <date>-cache-awt/; with "dynamic", only a DYNAMIC group's
# reads by key, first and again, beside a static group's and PostgreSQL's, in <date>-cache-dynamic/;
# with "dynamic-awt", a DYNAMIC ASYNCHRONOUS WRITETHROUGH group's first reads, idle and while
# another connection commits changes of it, in <date>-cache-dynamic-awt/; with "dynamic-instance",
# a DYNAMIC group of three tables read by a join on the root's key, each first read a dynamic load
# of a whole cache instance, in <date>-cache-dynamic-instance/): the machine, the command and the
# output.
# Usage: bench/run-cache.sh [rows] [burst] [rounds] [all|awt|dynamic|dynamic-awt|dynamic-instance]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
parts="${4:-all}"
case "$parts" in
  awt) bench_start cache-awt ;;
  dynamic) bench_start cache-dynamic ;;
  dynamic-awt) bench_start cache-dynamic-awt ;;
  dynamic-instance) bench_start cache-dynamic-instance ;;
  *) bench_start cache ;;
esac
rows="${1:-1000000}"; burst="${2:-100000}"; rounds="${3:-20}"
cmd=("$JAVA" -Xmx6g -cp bench/target/benchmarks.jar io.hourglass.bench.CacheBench bench/target/cache "$rows" "$burst" "$rounds" "$parts")
echo "${cmd[*]}" > "$out/commands.txt"
"${cmd[@]}" 2>&1 | grep '^result' | tee "$out/output.txt"
echo "results in $out"
