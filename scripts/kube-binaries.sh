#!/usr/bin/env bash
# Provides a real Kubernetes control plane for the operator's tests, for one pinned version:
# kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd and kwok, in the layout
# Fabric8's kube-api-test reads: ${KUBE_API_TEST_DIR:-~/.kubeapitest}/k8s/<X.Y.Z>-linux-amd64/.
#
# Order of attempts:
#   1. the binaries are already there (the directory is keyed by version, so a version bump rebuilds);
#   2. build them with this machine's Go from their published Go modules (through the Go module proxy);
#   3. no Go: print that kube-api-test may download the official etcd/kube-apiserver/kubectl itself
#      (the controller manager, scheduler and kwok cannot come that way) and exit 3.
# Prints the binary directory on stdout; progress, with the time of each step, on stderr.
#
# Why a module of our own: `go install k8s.io/kubernetes/cmd/...@v` fails because k8s.io/kubernetes
# requires its staging modules at v0.0.0 and resolves them only through `=> ./staging/...` replace
# directives, which Go ignores in a dependency. Our module replaces each with its published v0.Y.Z,
# the list generated from k8s.io/kubernetes' own go.mod so a version bump needs no hand edits.
set -euo pipefail

K8S_VERSION=${VSC_K8S_VERSION:-1.36.3}
ETCD_VERSION=${VSC_ETCD_VERSION:-3.6.17}
KWOK_VERSION=${VSC_KWOK_VERSION:-0.8.0}
ARCH=amd64
ROOT=${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}
BIN_DIR=$ROOT/k8s/$K8S_VERSION-linux-$ARCH
BUILD_DIR=${VSC_KUBE_BUILD_DIR:-$ROOT/build/$K8S_VERSION}
TOOLS=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok)

log() { printf 'kube-binaries: %s\n' "$*" >&2; }
have_all() {
  local t
  for t in "${TOOLS[@]}"; do [ -x "$BIN_DIR/$t" ] || return 1; done
  # kwok and etcd versions are part of the key too: a marker records what was built.
  [ "$(cat "$BIN_DIR/.versions" 2>/dev/null)" = "k8s=$K8S_VERSION etcd=$ETCD_VERSION kwok=$KWOK_VERSION" ]
}
step() { # step NAME COMMAND...: runs one build step and reports how long it took
  local name=$1 start=$SECONDS
  shift
  log "$name ..."
  "$@" >&2
  log "$name done in $((SECONDS - start)) s"
}

if have_all; then
  log "Kubernetes $K8S_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION already in $BIN_DIR"
  echo "$BIN_DIR"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "no Go toolchain on PATH, so the control plane cannot be built here."
  log "kube-api-test can download the official etcd, kube-apiserver and kubectl itself on a machine with"
  log "internet access, but kube-controller-manager, kube-scheduler and kwok have no such download:"
  log "install Go >= the 'go' line of k8s.io/kubernetes $K8S_VERSION's go.mod and run this again."
  exit 3
fi

total_start=$SECONDS
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
export CGO_ENABLED=0
mkdir -p "$BUILD_DIR"/{kubernetes,etcd} "$BIN_DIR"
log "building into $BIN_DIR with $(go version) (module cache $(go env GOMODCACHE), build cache $(go env GOCACHE))"

# --- Kubernetes --------------------------------------------------------------------------------
minor=${K8S_VERSION#*.}
staging_version=v0.$minor
k8s_mod=$BUILD_DIR/kubernetes/upstream.mod
write_kubernetes_module() {
  go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p' \
    | xargs cat > "$k8s_mod"
  local go_line
  go_line=$(sed -n 's/^go \(.*\)$/\1/p' "$k8s_mod")
  {
    echo "module vectorshard.local/kube-binaries"
    echo
    echo "go $go_line"
    echo
    echo "require k8s.io/kubernetes v$K8S_VERSION"
    echo
    echo "replace ("
    # every "k8s.io/x => ./staging/src/k8s.io/x" becomes "k8s.io/x => k8s.io/x v0.Y.Z"
    sed -n 's#^\s*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/k8s\.io/[a-z0-9-]*$#\t\1 => \1 '"$staging_version"'#p' "$k8s_mod"
    echo ")"
  } > "$BUILD_DIR/kubernetes/go.mod"
  log "$(grep -c ' => ' "$BUILD_DIR/kubernetes/go.mod") staging modules replaced by their $staging_version releases (go $go_line)"
  (cd "$BUILD_DIR/kubernetes" && go get \
    "k8s.io/kubernetes/cmd/kube-apiserver@v$K8S_VERSION" "k8s.io/kubernetes/cmd/kube-controller-manager@v$K8S_VERSION" \
    "k8s.io/kubernetes/cmd/kube-scheduler@v$K8S_VERSION" "k8s.io/kubernetes/cmd/kubectl@v$K8S_VERSION")
}
step "resolving k8s.io/kubernetes v$K8S_VERSION" write_kubernetes_module

# The same version stamps as Kubernetes' own hack/lib/version.sh; without them the servers report
# v0.0.0, which clients (kube-api-test, kubectl's skew check) refuse or warn about.
build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=${K8S_VERSION%%.*} -X $pkg.gitMinor=${minor%%.*}"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done
build_kubernetes() {
  (cd "$BUILD_DIR/kubernetes" && go build -trimpath -tags selinux,notest,grpcnotrace -ldflags "$ldflags" \
    -o "$BIN_DIR/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
}
step "building kube-apiserver, kube-controller-manager, kube-scheduler, kubectl" build_kubernetes

# --- etcd --------------------------------------------------------------------------------------
# `go install go.etcd.io/etcd/server/v3@...` fails on etcd's replace directives; upstream's own main
# is one call to etcdmain.Main, so a two-line main module builds the same server.
build_etcd() {
  cat > "$BUILD_DIR/etcd/main.go" <<'EOF'
// The etcd server, as upstream's main: one call into etcdmain.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
  (cd "$BUILD_DIR/etcd" && { [ -f go.mod ] || go mod init vectorshard.local/etcd; } \
    && go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" && go mod tidy \
    && go build -trimpath -ldflags "-s -w" -o "$BIN_DIR/etcd" .)
}
step "building etcd v$ETCD_VERSION" build_etcd

# --- kwok --------------------------------------------------------------------------------------
step "building kwok v$KWOK_VERSION" env GOBIN="$BIN_DIR" go install -trimpath -ldflags "-s -w" \
  "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"

echo "k8s=$K8S_VERSION etcd=$ETCD_VERSION kwok=$KWOK_VERSION" > "$BIN_DIR/.versions"
log "all built in $((SECONDS - total_start)) s: $("$BIN_DIR/kube-apiserver" --version), $("$BIN_DIR/etcd" --version | head -1)"
echo "$BIN_DIR"
