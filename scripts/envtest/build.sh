#!/usr/bin/env bash
# Builds the binaries of the test fleet (test/fleet) once and caches them outside
# the repository, in ${MANIFOLD_CACHE:-~/.cache/manifold}/envtest/<k8s-version>/:
#
#   kube-apiserver, kube-controller-manager,
#   kube-scheduler                            k8s.io/kubernetes (version pinned in go.mod)
#   etcd                                      go.etcd.io/etcd/server/v3 (the version k8s requires)
#   kwok                                      sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION
#
# Idempotent: a binary already in the cache is reused, never rebuilt. When
# KUBEBUILDER_ASSETS names a folder, binaries found there are used as they are
# and only the missing ones are built. Everything goes through the Go module
# proxy; the Go build and module caches stay at their defaults (~/.cache/go-build,
# ~/go/pkg/mod) unless GOCACHE/GOMODCACHE say otherwise.
#
# Usage: scripts/envtest/build.sh            build what is missing, print the folder
#        scripts/envtest/build.sh --print-dir print the cache folder and exit
#        scripts/envtest/build.sh --check     exit 0 if nothing needs building, 1 if not
# The last line written to stdout is always the cache folder.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
KWOK_VERSION=v0.8.0
K8S_VERSION="$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' "$here/go.mod")"
[ -n "$K8S_VERSION" ] || { echo "build.sh: cannot read the k8s.io/kubernetes version from $here/go.mod" >&2; exit 1; }
dest="${MANIFOLD_CACHE:-$HOME/.cache/manifold}/envtest/$K8S_VERSION"
binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

log() { echo "envtest: $*" >&2; }

missing() {
  local b out=()
  for b in "${binaries[@]}"; do
    if [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/$b" ]; then continue; fi
    [ -x "$dest/$b" ] || out+=("$b")
  done
  echo "${out[@]:-}"
}

case "${1:-}" in
  --print-dir) echo "$dest"; exit 0 ;;
  --check) [ -z "$(missing)" ] && { echo "$dest"; exit 0; } || exit 1 ;;
  "") ;;
  *) echo "usage: $0 [--print-dir|--check]" >&2; exit 2 ;;
esac

todo="$(missing)"
if [ -z "$todo" ]; then
  log "all binaries present (k8s $K8S_VERSION${KUBEBUILDER_ASSETS:+, KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS}); nothing to build"
  echo "$dest"
  exit 0
fi

# Find Go: PATH first, then the usual install locations.
go_bin="$(command -v go || true)"
for candidate in /usr/local/go/bin/go "$HOME/go/bin/go" "$HOME/sdk/go/bin/go"; do
  [ -n "$go_bin" ] && break
  [ -x "$candidate" ] && go_bin="$candidate"
done
if [ -z "$go_bin" ]; then
  echo "envtest: cannot build [$todo]: Go is not installed (looked on PATH and in /usr/local/go/bin)." >&2
  echo "envtest: install Go >= 1.26 (https://go.dev/dl/), or set KUBEBUILDER_ASSETS to a folder holding prebuilt ${binaries[*]}." >&2
  exit 3
fi

mkdir -p "$dest"
# One build at a time per cache folder (vitest global setup and fleet:up may race).
exec 9>"$dest/.build.lock"
if ! flock -n 9; then
  log "another build is running into $dest; waiting for it"
  flock 9
fi
todo="$(missing)"
if [ -z "$todo" ]; then
  log "built meanwhile by another process; nothing to build"
  echo "$dest"
  exit 0
fi

log "building [$todo] for Kubernetes $K8S_VERSION with $("$go_bin" version) into $dest"
log "(a cold build takes many minutes; progress is not printed by go build)"
tmp="$(mktemp -d "$dest/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
total_start=$SECONDS

build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
minor="$(echo "$K8S_VERSION" | cut -d. -f2)"
vpkg=k8s.io/component-base/version
k8s_ldflags="-s -w -X $vpkg.gitVersion=$K8S_VERSION -X $vpkg.gitMajor=1 -X $vpkg.gitMinor=$minor -X $vpkg.gitTreeState=clean -X $vpkg.buildDate=$build_date"

pkgs=()
for b in $todo; do
  case "$b" in
    kube-apiserver) pkgs+=(k8s.io/kubernetes/cmd/kube-apiserver) ;;
    kube-controller-manager) pkgs+=(k8s.io/kubernetes/cmd/kube-controller-manager) ;;
    kube-scheduler) pkgs+=(k8s.io/kubernetes/cmd/kube-scheduler) ;;
    etcd) pkgs+=(manifold.local/envtest/etcd) ;;
  esac
done
if [ "${#pkgs[@]}" -gt 0 ]; then
  start=$SECONDS
  log "go build ${pkgs[*]}"
  (cd "$here" && CGO_ENABLED=0 "$go_bin" build -trimpath -ldflags="$k8s_ldflags" -o "$tmp/" "${pkgs[@]}")
  log "built ${pkgs[*]} in $((SECONDS - start))s"
fi
if [[ " $todo " == *" kwok "* ]]; then
  start=$SECONDS
  log "go install sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  # Outside any module so that only kwok's own go.mod decides its dependencies.
  (cd "$tmp" && CGO_ENABLED=0 GOBIN="$tmp" "$go_bin" install -trimpath \
    -ldflags="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION")
  log "built kwok in $((SECONDS - start))s"
fi
for b in $todo; do
  [ -x "$tmp/$b" ] || { echo "envtest: build finished but $tmp/$b is missing" >&2; exit 1; }
  mv -f "$tmp/$b" "$dest/$b"
done
log "done in $((SECONDS - total_start))s: $(cd "$dest" && du -ch "${binaries[@]}" 2>/dev/null | tail -1 | cut -f1) in $dest"
echo "$dest"
