#!/usr/bin/env bash
# `make test`: one pytest run over everything, so one summary line counts every test,
# skipped ones with their reasons (-ra) and never as passed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
eval "$(bash tests/harness/engine.sh env)"
export GOFLEET_ARTIFACTS="$root/.cache/artifacts"
exec .venv/bin/pytest -ra -p no:cacheprovider "$@" tests
