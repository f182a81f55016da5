#!/usr/bin/env bash
# Installs the pinned fuzzer (requirements.txt) into .tools/fuzz, once. Needs python3 with venv
# (Debian: apt-get install python3-venv) and the Python package index.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.tools/fuzz
if [ -x "$VENV/bin/schemathesis" ] && cmp -s tests/fuzz/requirements.txt "$VENV/requirements.txt"; then
  exit 0
fi
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/fuzz/requirements.txt
cp tests/fuzz/requirements.txt "$VENV/requirements.txt"
echo "installed $("$VENV/bin/schemathesis" --version) into $VENV"
