#!/usr/bin/env bash
# Generates the SDKs from openapi/openapi.json with pinned generators:
#   sdks/python/tollgate_client    openapi-python-client (sdks/requirements.txt)
#   sdks/typescript/src/schema.d.ts  openapi-typescript (sdks/typescript/package-lock.json)
# Tools are installed once, into .tools/sdk (Python) and sdks/typescript/node_modules.
#
#   sdks/generate.sh            # regenerate in place
#   sdks/generate.sh --check    # regenerate into a scratch copy; fail if it differs from the commit
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.tools/sdk
if ! { [ -x "$VENV/bin/openapi-python-client" ] && cmp -s sdks/requirements.txt "$VENV/requirements.txt"; }; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r sdks/requirements.txt
  cp sdks/requirements.txt "$VENV/requirements.txt"
fi
if [ ! -x sdks/typescript/node_modules/.bin/openapi-typescript ]; then
  (cd sdks/typescript && npm ci --silent --no-audit --no-fund)
fi

OUT=$ROOT/sdks
if [ "${1:-}" = "--check" ]; then
  OUT=$(mktemp -d)
  trap 'rm -rf "$OUT"' EXIT
  mkdir -p "$OUT/python" "$OUT/typescript/src"
  cp sdks/python/pyproject.toml "$OUT/python/" # ruff's settings
fi

# Python: the package only; pyproject.toml and README.md beside it are ours.
rm -rf "$OUT/python/tollgate_client"
(cd "$OUT/python" && PATH="$VENV/bin:$PATH" "$VENV/bin/openapi-python-client" generate --path "$ROOT/openapi/openapi.json" \
  --config "$ROOT/sdks/python-generator.yml" --meta none --output-path tollgate_client >/dev/null)

# TypeScript: the types of every path and schema; sdks/typescript/src/index.ts wraps openapi-fetch.
"$ROOT/sdks/typescript/node_modules/.bin/openapi-typescript" "$ROOT/openapi/openapi.json" \
  -o "$OUT/typescript/src/schema.d.ts" --silent

if [ "${1:-}" = "--check" ]; then
  diff -r "$OUT/python/tollgate_client" sdks/python/tollgate_client
  diff "$OUT/typescript/src/schema.d.ts" sdks/typescript/src/schema.d.ts
  echo "the SDKs match openapi/openapi.json"
fi
