#!/usr/bin/env bash
# How cost grows with size: see bench/scale.py. Prints one line per figure.
#
#   bench/scale.sh                  # verify, close and events phases
#   bench/scale.sh close            # one phase
#   EVENTS=1000000 bench/scale.sh events
#   CLOSE_SIZES="1000 10000 100000" bench/scale.sh close   # the largest is a 20-minute advance
#
# Needs wrk, psql and python3, and a PostgreSQL server: BENCH_SERVER_URL (default the local
# server on 127.0.0.1:5432, user postgres). A database `tollgate_scale` is created anew per run.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; }
command -v wrk >/dev/null || { echo "install wrk first (apt-get install wrk)"; exit 1; }
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(psql --version)"
cargo build --release --quiet
python3 bench/scale.py "$WORK" "$@"
