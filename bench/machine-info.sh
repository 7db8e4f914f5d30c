# Sourced by the bench scripts: what every run needs before it and beside its result.
# Usage: bench_start <name>   (sets JAVA and out; see below)
#        machine_info "$JAVA" > "$out/machine.txt"
machine_info() {
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) cores"
  echo "memory: $(free -g | awk '/Mem:/ {print $2 " GiB"}')"
  echo "disk: $(df -h bench | awk 'NR==2 {print $1 " (" $2 ")"}')"
  echo "java: $("$1" -version 2>&1 | head -n 1)"
}

# Builds the benchmarks jar, makes bench/results/<date>-<name>/ with the machine.txt of this run
# in it, and sets JAVA (the JDK's java, JAVA_HOME first) and out (that folder) for the caller.
bench_start() {
  JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  ./mvnw -B -q -f bench/pom.xml package
  out="bench/results/$(date -u +%Y-%m-%d)-$1"
  mkdir -p "$out"
  machine_info "$JAVA" > "$out/machine.txt"
  : > "$out/commands.txt"
}

# Runs one JMH benchmark in average-time mode (one fork, 3 x 2 s warm-up, 5 x 2 s measured, 6 GB
# heap), adds its command to $out/commands.txt and writes its JSON and its output to $out.
# Usage: jmh_avgt <json file> <output file> <benchmark> <time unit> [JMH options, -p name=value ...]
jmh_avgt() {
  local json="$1" text="$2" bench="$3" unit="$4"
  shift 4
  local cmd=("$JAVA" -Xmx6g -jar bench/target/benchmarks.jar "$bench" -f 1 -wi 3 -w 2s -i 5 -r 2s -bm avgt -tu "$unit" "$@" -jvmArgs -Xmx6g)
  echo "${cmd[*]}" >> "$out/commands.txt"
  "${cmd[@]}" -rf json -rff "$out/$json" | tee "$out/$text"
}
