#!/usr/bin/env bash
# Provides a Redis >= 8.0 server (vector sets built in) for tests and local mode.
#
# Prints the path of a redis-server launcher on its last line. In order of preference:
#   1. $VSC_REDIS_SERVER, if set and it is Redis >= 8;
#   2. the launcher this script made before, under $VSC_REDIS_HOME (default: <project>/.tools/redis);
#   3. a redis-server >= 8 on PATH;
#   4. on Debian, the Debian 13 ("trixie") packages, downloaded with apt from the Debian archive this
#      machine already uses and unpacked without root into $VSC_REDIS_HOME (see docs/architecture.md).
# Anything else exits non-zero with a message saying how to install Redis 8.
set -euo pipefail

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
home=${VSC_REDIS_HOME:-$project/.tools/redis}
launcher=$home/bin/redis-server

major_version() { # prints the major version of the redis-server given, or nothing
  "$1" --version 2>/dev/null | sed -n 's/.* v=\([0-9]*\)\..*/\1/p'
}

usable() { [ -n "$1" ] && [ -x "$1" ] && [ "$(major_version "$1")" -ge 8 ] 2>/dev/null; }

if [ -n "${VSC_REDIS_SERVER:-}" ]; then
  usable "$VSC_REDIS_SERVER" && { echo "$VSC_REDIS_SERVER"; exit 0; }
  echo "VSC_REDIS_SERVER=$VSC_REDIS_SERVER is not a Redis >= 8 server" >&2; exit 1
fi
if usable "$launcher"; then echo "$launcher"; exit 0; fi
on_path=$(command -v redis-server || true)
if usable "$on_path"; then echo "$on_path"; exit 0; fi

how_to="Install Redis >= 8.0 (Debian 13: apt-get install redis-server; elsewhere see https://redis.io/downloads)
and put redis-server on PATH, or point VSC_REDIS_SERVER at it."
sources=/etc/apt/sources.list.d/debian.sources
if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null || [ ! -r "$sources" ]; then
  echo "No Redis >= 8 found and this is not a Debian machine with $sources." >&2
  echo "$how_to" >&2; exit 1
fi
uri=$(sed -n 's/^URIs:[[:space:]]*//p' "$sources" | head -n 1)
if [ -z "$uri" ]; then echo "No URIs: line in $sources. $how_to" >&2; exit 1; fi

echo "Fetching Redis 8 from Debian 13 (trixie) packages into $home ..." >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/debs"
cat >"$work/trixie.sources" <<SRC
Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts=(-o "Dir::Etc::SourceList=$work/trixie.sources" -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives"
          -o Debug::NoLocking=1 -q)
apt-get "${apt_opts[@]}" update >&2
packages=(redis-server redis-tools libc6 libstdc++6 libgcc-s1 libjemalloc2 liblzf1 libssl3t64
          libsystemd0 libcap2 libgcrypt20 liblzma5 libzstd1 liblz4-1 libgpg-error0 libatomic1)
(cd "$work/debs" && apt-get "${apt_opts[@]}" download "${packages[@]}" >&2)
rm -rf "$home.new" && mkdir -p "$home.new/root" "$home.new/bin"
for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$home.new/root"; done

# The binary picks its role (server, cli, sentinel) from argv[0], so each launcher calls it through its
# own name; the loader and libraries come from the unpacked trixie packages, never from the host.
for tool in redis-server redis-cli; do
  cat >"$home.new/bin/$tool" <<LAUNCH
#!/bin/sh
root="\$(cd "\$(dirname "\$0")/../root" && pwd)"
libs="\$root/usr/lib/x86_64-linux-gnu"
exec "\$libs/ld-linux-x86-64.so.2" --library-path "\$libs" "\$root/usr/bin/$tool" "\$@"
LAUNCH
  chmod +x "$home.new/bin/$tool"
done
rm -rf "$home" && mv "$home.new" "$home"
if ! usable "$launcher"; then
  echo "The unpacked Redis at $launcher does not run: $("$launcher" --version 2>&1 | head -n 3)" >&2
  echo "$how_to" >&2; exit 1
fi
echo "Installed $("$launcher" --version)" >&2
echo "$launcher"
