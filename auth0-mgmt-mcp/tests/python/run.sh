#!/usr/bin/env bash
# The MCP gateway driven by the official Python MCP SDK (`mcp` from PyPI).
# For .ci/run:   bash auth0-mgmt-mcp/tests/python/run.sh
# Builds the gateway and the fake-tenant helper, installs `mcp` (2.x) and `pytest` into
# target/mcp-venv (once), and runs the tests. Everything stays on loopback.
set -euo pipefail
cd "$(dirname "$0")/../../.."   # the workspace root
locked=()
if [ "${CI:-}" = "true" ]; then locked=(--locked); fi

cargo build "${locked[@]}" -p auth0-mgmt-mcp --bin auth0-mgmt-mcp --example fake_tenant
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
export GATEWAY_BIN="$target_dir/debug/auth0-mgmt-mcp"
export FAKE_TENANT_BIN="$target_dir/debug/examples/fake_tenant"

venv="$target_dir/mcp-venv"
if [ ! -x "$venv/bin/pytest" ] || ! "$venv/bin/python" -c 'import mcp' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "mcp>=2.3,<3" pytest
fi
"$venv/bin/python" -c 'import importlib.metadata as m; print("python mcp", m.version("mcp"))'
exec "$venv/bin/pytest" -q -p no:cacheprovider auth0-mgmt-mcp/tests/python
