#!/usr/bin/env bash
# Builds the native binary and runs the *IT suite against it (native/README.md).
#   native/build.sh [more Maven arguments]
# With GRAALVM_HOME (GraalVM or Mandrel for JDK 25) set, it uses that. Without one, on machines
# that have no GraalVM but do have the project's native-builder (NATIVE_BUILDER, default
# ../shared/tools/native-builder), it assembles a local native-image from Maven Central jars
# into NATIVE_HOME (default ~/graalvm-home) first. That builder is a verification aid: its
# binaries run only on the machine that built them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/jdk25.sh
hourglass_find_jdk25

home="${GRAALVM_HOME:-}"
if [ -z "$home" ]; then
  builder="${NATIVE_BUILDER:-$root/../shared/tools/native-builder}"
  home="${NATIVE_HOME:-$HOME/graalvm-home}"
  if [ ! -x "$home/bin/native-image" ]; then
    [ -f "$builder/assemble.sh" ] || { echo "no GRAALVM_HOME and no native-builder at $builder" >&2; exit 2; }
    bash "$builder/assemble.sh" "$home"
  fi
  # The assembled driver does not expand ${.} (the folder of a native-image.properties) as the
  # real driver does; JLine's properties use it. One line teaches it.
  if ! grep -q "replace('\${.}'" "$home/bin/native-image"; then
    python3 - "$home/bin/native-image" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
old = "for t in shlex.split(m.group(2)):\n"
i = s.index(old)
indent = s[s.rindex('\n', 0, i) + 1:i]
s = s.replace(old, old + indent + "    t = t.replace('${.}', os.path.dirname(n))\n", 1)
open(p, 'w').write(s)
PY
  fi
fi
echo "Building the native binary with $home" >&2
exec ./mvnw -B verify -Dnative -Dquarkus.native.graalvm-home="$home" "$@"
