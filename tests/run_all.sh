#!/usr/bin/env bash
# `make test`: every test, in three pytest sessions side by side, each listing its skipped tests with
# their reasons (-ra) and never counting them as passed. The container tiers (containers, harness,
# Molecule) mostly wait on containers, the local tiers (integration, quality, unit) mostly use the
# CPU and disk; together they finish well inside CI's limit where one after the other did not.
# They share nothing: containers have random names, every test works under its own basetemp.
# The last line adds them up ("N passed, N failed, N skipped"); the exit status fails if any does.
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
# Three sessions. The two container sessions split the container tests so that both arm64
# (qemu) tests sit in one of them: two emulated hosts at once would starve the 2 cores. Measured in
# a fresh-clone run (2026-12-08), containers-b ran far past containers-a; two toolchain files moved to a.
session_a=(tests/containers/test_mirror_real_modules.py tests/containers/test_multi_mirror.py
       tests/containers/test_toolchain_zip_arm64.py tests/containers/test_toolchain_zip_bundle.py
       tests/containers/test_fleet_bundle_hosts.py
       tests/containers/test_toolchain_from_mirror.py tests/containers/test_toolchain_role_rotation.py)
declare -A tiers=(
    [local]="tests/integration tests/quality tests/unit"
    [containers-a]="tests/molecule tests/harness ${session_a[*]}"
    [containers-b]="tests/containers $(printf -- '--ignore=%s ' "${session_a[@]}")"
)
pids=()
# Ended with this script (an interrupted make test leaves no tier running).
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for tier in local containers-a containers-b; do
    # shellcheck disable=SC2086  # the tier's paths are words
    "${pytest[@]}" --basetemp="$out/tmp-$tier" --junitxml="$out/$tier.xml" ${tiers[$tier]} \
        > "$out/$tier.log" 2>&1 &
    pids+=($!)
done
echo "== three test sessions running (local, containers-a, containers-b); logs in $out/"
set +e
rc=0
for i in 0 1 2; do wait "${pids[$i]}" || rc=1; done
set -e
trap - EXIT
for tier in local containers-a containers-b; do echo "===== $tier"; cat "$out/$tier.log"; done
.venv/bin/python tests/tools/junit_total.py "$out/local.xml" "$out/containers-a.xml" "$out/containers-b.xml"
((rc == 0))
