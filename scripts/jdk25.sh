# Sourced by .ci/run and ./hourglass: makes `java` and JAVA_HOME a JDK 25 or newer. Keeps a
# JAVA_HOME or PATH java that is new enough; otherwise looks in the usual install places.
java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }

hourglass_find_jdk25() {
  local current candidate
  current="${JAVA_HOME:+$JAVA_HOME/bin/java}"
  current="${current:-$(command -v java || true)}"
  if [ -n "$current" ] && [ "$(java_major "$current")" -ge 25 ] 2>/dev/null; then
    [ -n "${JAVA_HOME:-}" ] || export JAVA_HOME="$(cd "$(dirname "$(readlink -f "$current")")/.." && pwd)"
  else
    for candidate in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/jdk-25* /opt/java/*25* /usr/lib/jvm/*; do
      if [ -x "$candidate/bin/java" ] && [ "$(java_major "$candidate/bin/java")" -ge 25 ] 2>/dev/null; then
        export JAVA_HOME="$candidate"
        break
      fi
    done
  fi
  if [ -z "${JAVA_HOME:-}" ] || [ "$(java_major "$JAVA_HOME/bin/java")" -lt 25 ] 2>/dev/null; then
    echo "Hourglass needs JDK 25: set JAVA_HOME to one." >&2
    return 1
  fi
  export PATH="$JAVA_HOME/bin:$PATH"
}
