# Sourced by the bench scripts: prints what a result needs beside it (machine, commit, JVM).
# Usage: machine_info "$JAVA" > "$out/machine.txt"
machine_info() {
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) cores"
  echo "memory: $(free -g | awk '/Mem:/ {print $2 " GiB"}')"
  echo "disk: $(df -h bench | awk 'NR==2 {print $1 " (" $2 ")"}')"
  echo "java: $("$1" -version 2>&1 | head -n 1)"
}
