#!/usr/bin/env bash
# Installs the pinned SMTP server (requirements.txt) into .tools/smtp, once. Needs python3 with
# venv (Debian: apt-get install python3-venv) and the Python package index.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.tools/smtp
if [ -x "$VENV/bin/aiosmtpd" ] && cmp -s tests/smtp/requirements.txt "$VENV/requirements.txt"; then
  exit 0
fi
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/smtp/requirements.txt
cp tests/smtp/requirements.txt "$VENV/requirements.txt"
echo "installed aiosmtpd $("$VENV/bin/python" -c 'import aiosmtpd; print(aiosmtpd.__version__)') into $VENV"
