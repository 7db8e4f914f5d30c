#!/usr/bin/env bash
# Runs the TPTBM benchmarks and writes the raw results, the machine and the command to
# bench/results/<date>-tptbm/. Usage: bench/run.sh [quick]   (quick: shorter iterations)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/machine-info.sh
bench_start tptbm
if [ "${1:-}" = quick ]; then iters="-wi 2 -w 3s -i 3 -r 3s"; else iters="-wi 3 -w 5s -i 5 -r 5s"; fi
jmh=("$JAVA" -Xmx8g -jar bench/target/benchmarks.jar TptbmBenchmark -f 1 $iters -jvmArgs -Xmx8g)
echo "${jmh[*]} -t 2 -bm thrpt -tu s" > "$out/commands.txt"
"${jmh[@]}" -t 2 -bm thrpt -tu s -rf json -rff "$out/throughput.json" | tee "$out/throughput.txt"
echo "${jmh[*]} -t 1 -bm sample -tu us" >> "$out/commands.txt"
"${jmh[@]}" -t 1 -bm sample -tu us -rf json -rff "$out/latency.json" | tee "$out/latency.txt"
echo "$JAVA -Xmx8g -cp bench/target/benchmarks.jar io.hourglass.bench.TptbmMemory 1000000" >> "$out/commands.txt"
"$JAVA" -Xmx8g -cp bench/target/benchmarks.jar io.hourglass.bench.TptbmMemory 1000000 | tee "$out/memory.txt"
echo "results in $out"
