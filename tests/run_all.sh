#!/usr/bin/env bash
# `make test`: every test, in two pytest sessions side by side, each listing its skipped tests with
# their reasons (-ra) and never counting them as passed. The container tiers (containers, harness,
# Molecule) mostly wait on containers, the local tiers (integration, quality, unit) mostly use the
# CPU and disk; together they finish well inside CI's limit where one after the other did not.
# They share nothing: containers have random names, every test works under its own basetemp.
# The last line adds both up ("N passed, N failed, N skipped"); the exit status fails if either does.
#   bash tests/run_all.sh [pytest args]   with arguments: one session over tests/, as before
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
eval "$(bash tests/harness/engine.sh env)"
export GOFLEET_ARTIFACTS="$root/.cache/artifacts"
pytest=(.venv/bin/pytest -ra -p no:cacheprovider --durations=25)
if (($#)); then
    exec "${pytest[@]}" "$@" tests
fi

out="$root/.cache/test-run"
rm -rf "$out"; mkdir -p "$out"
"${pytest[@]}" --basetemp="$out/tmp-local" --junitxml="$out/local.xml" \
    tests/integration tests/quality tests/unit > "$out/local.log" 2>&1 &
local_pid=$!
# Ended with this script (an interrupted make test leaves no tier running).
trap 'kill "$local_pid" 2>/dev/null || true' EXIT

set +e
"${pytest[@]}" --basetemp="$out/tmp-containers" --junitxml="$out/containers.xml" \
    tests/containers tests/harness tests/molecule
containers_rc=$?
echo "== waiting for the local tiers (integration, quality, unit): $out/local.log"
wait "$local_pid"
local_rc=$?
set -e
trap - EXIT
cat "$out/local.log"
.venv/bin/python tests/tools/junit_total.py "$out/containers.xml" "$out/local.xml"
((containers_rc == 0 && local_rc == 0))
