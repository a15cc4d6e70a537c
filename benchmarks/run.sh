#!/usr/bin/env bash
# Runs the benchmarks in their own venv (micrograd 0.1.0 is a benchmark-only dependency).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q -e "$here/..[digits]" "micrograd==0.1.0"
fi
"$venv/bin/python" "$here/engine_benchmark.py" "$@"
