#!/usr/bin/env bash
# Startup time and idle memory of the packaged service (issue 7): the jar and, when built, the
# native binary, side by side. Writes bench/results/<date>-startup/.
#   bench/run-startup.sh [runs]
# Build first: ./mvnw package -DskipTests (the jar); native/build.sh -DskipITs (the native binary).
# Each run starts the service on one empty database (archive off), temporary (memory only) or
# persistent (a new database: its first log file of LogFileSize, 64 MB, is preallocated and
# synced before the port opens), and measures
#   ready: from exec to the first 200 from /q/health/ready (polled every 2 ms),
#   rss:   VmRSS of the process after 5 s idle,
#   stop:  from SIGTERM to exit (the unload checkpoint of the empty database included).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk25.sh
hourglass_find_jdk25
runs="${1:-10}"
out="bench/results/$(date -u +%Y-%m-%d)-startup"
mkdir -p "$out"
. bench/machine-info.sh
machine_info java > "$out/machine.txt"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
port=18089

now_ms() { date +%s%3N; }

measure() { # name, kind (temporary | persistent), command... (the command ends where the settings go: -D options)
  local name="$1" kind="$2"; shift 2
  local ready=() rss=() stop=()
  for i in $(seq 1 "$runs"); do
    rm -rf "$work/db"
    local t0; t0=$(now_ms)
    local settings=(-Dquarkus.http.port=$port -Dhourglass.databases.sampledb.data-store="$work/db/sampledb"
                    -Dhourglass.databases.sampledb.log-dir="$work/db")
    [ "$kind" = temporary ] && settings+=(-Dhourglass.databases.sampledb.temporary=true)
    if [ "$name" = jar ]; then
      HOURGLASS_ADMIN_PASSWORD=bench "$@" "${settings[@]}" -jar target/quarkus-app/quarkus-run.jar >"$work/$name.log" 2>&1 &
    else
      HOURGLASS_ADMIN_PASSWORD=bench "$@" "${settings[@]}" >"$work/$name.log" 2>&1 &
    fi
    local pid=$!
    until curl -sf -o /dev/null "http://localhost:$port/q/health/ready"; do
      kill -0 $pid 2>/dev/null || { echo "$name exited:"; cat "$work/$name.log"; return 1; }
      sleep 0.002
    done
    ready+=($(( $(now_ms) - t0 )))
    sleep 5
    rss+=($(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status))
    t0=$(now_ms); kill -TERM $pid; wait $pid || true
    stop+=($(( $(now_ms) - t0 )))
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  printf '%-7s %-10s ready %5s ms (min %s, max %s)   idle RSS %4s MB   stop %4s ms   [%d runs]\n' "$name" "$kind" \
    "$(median "${ready[@]}")" "$(printf '%s\n' "${ready[@]}" | sort -n | head -1)" "$(printf '%s\n' "${ready[@]}" | sort -n | tail -1)" \
    "$(median "${rss[@]}")" "$(median "${stop[@]}")" "$runs" | tee -a "$out/output.txt"
  grep -o 'started in [0-9.]*s' "$work/$name.log" | tail -1 | sed "s/^/$name: Quarkus says /" | tee -a "$out/output.txt"
}

: > "$out/output.txt"
{
  echo "java -jar target/quarkus-app/quarkus-run.jar (JVM defaults: $(java -version 2>&1 | head -1))"
  ls target/*-runner >/dev/null 2>&1 && echo "$(ls target/*-runner) (native, default heap settings)"
} > "$out/commands.txt"
for kind in temporary persistent; do
  measure jar "$kind" java --enable-native-access=ALL-UNNAMED
  if ls target/*-runner >/dev/null 2>&1; then
    measure native "$kind" "$(ls target/*-runner | head -1)"
  fi
done
echo "results in $out"
