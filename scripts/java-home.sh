#!/usr/bin/env bash
# Prints a JAVA_HOME with a JDK >= 21: $JAVA_HOME if it qualifies, the java on PATH, or the newest
# JDK under /usr/lib/jvm. Exits non-zero with a message when there is none.
set -euo pipefail

major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1; }
ok() { [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ "$(major "$1")" -ge 21 ] 2>/dev/null; }

if [ -n "${JAVA_HOME:-}" ] && ok "$JAVA_HOME"; then echo "$JAVA_HOME"; exit 0; fi
if command -v javac >/dev/null; then
  home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  if ok "$home"; then echo "$home"; exit 0; fi
fi
best=""; best_major=0
for home in /usr/lib/jvm/*; do
  if ok "$home"; then
    m=$(major "$home")
    if [ "$m" -gt "$best_major" ]; then best=$home; best_major=$m; fi
  fi
done
if [ -n "$best" ]; then echo "$best"; exit 0; fi
echo "vectorshard needs a JDK >= 21 (found none in JAVA_HOME, on PATH or under /usr/lib/jvm)." >&2
echo "On Debian/Ubuntu: apt-get install openjdk-21-jdk (or newer), then retry." >&2
exit 1
