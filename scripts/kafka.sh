#!/usr/bin/env bash
# A single-node Kafka (KRaft) for the archive on a machine without a Kafka cluster: fetched from
# Maven Central through the Maven Wrapper, kept under target/local-kafka, listening on
# localhost:${HOURGLASS_KAFKA_PORT:-9092}. No Docker, nothing installed system-wide.
#   scripts/kafka.sh start    start it unless it runs (waits until it accepts connections)
#   scripts/kafka.sh stop     stop it
#   scripts/kafka.sh status   exit 0 if it runs
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
. "$here/scripts/jdk25.sh"
hourglass_find_jdk25
home="$here/target/local-kafka"
port="${HOURGLASS_KAFKA_PORT:-9092}"
cport=$((port + 1))
pidfile="$home/kafka.pid"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

start() {
  if running; then return 0; fi
  mkdir -p "$home"
  if [ ! -d "$home/lib" ]; then
    echo "Fetching Kafka from Maven Central..." >&2
    (cd "$here" && ./mvnw -B -q -f scripts/kafka/pom.xml dependency:copy-dependencies -DoutputDirectory="$home/lib.tmp" -DincludeScope=runtime)
    mv "$home/lib.tmp" "$home/lib"
  fi
  cat > "$home/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=localhost:$cport
listeners=PLAINTEXT://localhost:$port,CONTROLLER://localhost:$cport
advertised.listeners=PLAINTEXT://localhost:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$home/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
PROPS
  if [ ! -f "$home/data/meta.properties" ]; then
    java -cp "$home/lib/*" kafka.tools.StorageTool format --standalone -t "$(java -cp "$home/lib/*" kafka.tools.StorageTool random-uuid)" \
      -c "$home/server.properties" > "$home/format.log" 2>&1
  fi
  nohup java -Xmx512m -cp "$home/lib/*" kafka.Kafka "$home/server.properties" > "$home/kafka.log" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 120); do
    if listening; then echo "Kafka is up on localhost:$port (log: $home/kafka.log)" >&2; return 0; fi
    if ! running; then echo "Kafka did not start; see $home/kafka.log" >&2; return 1; fi
    sleep 0.5
  done
  echo "Kafka did not open localhost:$port within 60 s; see $home/kafka.log" >&2
  return 1
}

stop() {
  if running; then kill "$(cat "$pidfile")"; fi
  rm -f "$pidfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) running ;;
  *) echo "usage: scripts/kafka.sh start|stop|status" >&2; exit 2 ;;
esac
