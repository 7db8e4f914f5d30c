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
}
