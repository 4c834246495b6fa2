#!/usr/bin/env bash
# The whole test suite: installs what is missing, type-checks, then runs every test (unit, integration
# against real etcd/containerd/iptables/NATS, kubectl, end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-tools.sh
echo "node $(node --version), pnpm $(pnpm --version)"
pnpm exec tsc -p tsconfig.json
pnpm exec vitest run "$@"
