#!/usr/bin/env bash
# Fetches the Work API CRDs of the systems `manifold render --as-works` writes
# for, from their own Go modules through the Go module proxy, into
# ${MANIFOLD_CACHE:-~/.cache/manifold}/work-crds/<module>@<version>/ (outside the
# repository, like scripts/envtest/build.sh). test/e2e/works.e2e.test.ts
# installs them into a test API server and dry-runs the emitted Works there.
#
# Idempotent: a CRD already in the cache is not fetched again.
# Usage: scripts/work-crds/fetch.sh          fetch what is missing, print the folder
#        scripts/work-crds/fetch.sh --check  exit 0 if everything is cached
# The last line written to stdout is always the cache folder.
set -euo pipefail

dest="${MANIFOLD_CACHE:-$HOME/.cache/manifold}/work-crds"

# module@version  path of the CRD inside the module zip
crds=(
  "open-cluster-management.io/api@v1.1.0 work/v1/0000_00_work.open-cluster-management.io_manifestworks.crd.yaml"
  "github.com/karmada-io/karmada@v1.18.0 charts/karmada/_crds/bases/work/work.karmada.io_works.yaml"
  "go.goms.io/fleet@v0.14.0 config/crd/bases/placement.kubernetes-fleet.io_works.yaml"
  "sigs.k8s.io/work-api@v0.0.0-20220407021756-586d707fdb2c config/crd/multicluster.x-k8s.io_works.yaml"
)

target() { # module@version path -> cached file
  local module="${1//\//_}"
  echo "$dest/$module/$(basename "$2")"
}

missing=()
for entry in "${crds[@]}"; do
  read -r module file <<<"$entry"
  [ -f "$(target "$module" "$file")" ] || missing+=("$entry")
done

case "${1:-}" in
  --check) [ ${#missing[@]} -eq 0 ] && { echo "$dest"; exit 0; } || exit 1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

if [ ${#missing[@]} -gt 0 ]; then
  go_bin="$(command -v go || true)"
  [ -n "$go_bin" ] || { [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go; }
  [ -n "$go_bin" ] || { echo "work-crds: Go is needed to download the modules (go mod download); none on PATH or in /usr/local/go/bin" >&2; exit 1; }
  # Outside any module, so `go mod download` takes module@version arguments.
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  for entry in "${missing[@]}"; do
    read -r module file <<<"$entry"
    echo "work-crds: $module $file" >&2
    json="$(cd "$scratch" && GOFLAGS=-mod=mod "$go_bin" mod download -json "$module")"
    dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    if [ -z "$dir" ] || [ ! -f "$dir/$file" ]; then
      echo "work-crds: $module has no $file (go mod download said: $(printf '%s' "$json" | tr -d '\n' | head -c 300))" >&2
      exit 1
    fi
    out="$(target "$module" "$file")"
    mkdir -p "$(dirname "$out")"
    cp "$dir/$file" "$out.tmp" && chmod 644 "$out.tmp" && mv "$out.tmp" "$out"
  done
fi
echo "$dest"
