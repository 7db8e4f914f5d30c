#!/usr/bin/env bash
# Runs the Kafka archive benchmark (issue 5) and writes bench/results/<date>-archive/: the machine,
# the command and the output. Usage: bench/run-archive.sh [rows] [seconds per phase] [threads]
# The database and the in-JVM broker's log live under bench/target and /tmp, on this machine's disks.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q compile            # generates the archive's protobuf classes the benchmark compiles with
. bench/machine-info.sh
bench_start archive
rows="${1:-1000000}"; secs="${2:-10}"; threads="${3:-2}"
cmd=("$JAVA" -XX:+UseZGC -Xms8g -Xmx8g --enable-native-access=ALL-UNNAMED -Dslf4j.internal.verbosity=ERROR
     -cp bench/target/benchmarks.jar io.hourglass.bench.ArchiveBench bench/target/archive "$rows" "$secs" "$threads")
echo "${cmd[*]}" > "$out/commands.txt"
"${cmd[@]}" 2>&1 | grep -v '^WARNING' | tee "$out/output.txt"
echo "results in $out"
