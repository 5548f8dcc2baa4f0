#!/usr/bin/env bash
# `make demo`: the whole mission on local containers, with no route out for the fleet.
#   1. connected side (no network either): a GOPROXY tree from tests/fixtures/gomod_upstream, the app's
#      go.sum, Debian's nginx packages, and a fleet bundle with a module mirror (playbooks/bundle_build.yml),
#      verified by the `bundle` action;
#   2. the fleet (playbooks/demo.yml): a mirror host, an amd64 build host, a service host and, when the
#      arm64 image is there, an arm64 build host, on an --internal network; inventory written for site.yml;
#   3. playbooks/site.yml provisions them (through playbooks/schedule/drift_run.sh, so with a drift report);
#   4. each build host builds the app whose dependency only the mirror serves; the service host runs it as
#      a hardened service, and its `systemd-analyze security` score is printed;
#   5. drift is planted (playbooks/demo/plant.yml), the scheduled cycle (playbooks/schedule/drift_cycle.sh:
#      check --diff, then the real run) reports and repairs it, a last check run finds none; the reports'
#      paths and a summary table are printed (playbooks/demo/summary.py).
# Settings (environment):
#   DEMO_KEEP=1    keep the hosts (make demo DEMO_KEEP=1); otherwise they are removed at the end, also on failure
#   DEMO_ARM64=0   leave the arm64 host out (faster); default: in when its image exists and qemu-aarch64 runs
#   DEMO_WORK=dir  the demo's work directory (default .cache/demo); DEMO_VERBOSE=1 prints every Ansible line
# More ansible-playbook arguments pass through to every run, e.g. -e demo_prefix=mydemo.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export ANSIBLE_COLLECTIONS_PATH="$root/.build" ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
export ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
# one exec per task instead of copy + exec + cleanup: the demo runs ~150 tasks per host, several times
export ANSIBLE_PIPELINING=${ANSIBLE_PIPELINING:-True}
playbook="$root/.venv/bin/ansible-playbook"
export ANSIBLE_PLAYBOOK="$playbook"   # drift_run.sh runs this one
work=${DEMO_WORK:-$root/.cache/demo}
mkdir -p "$work/logs" "$root/.cache/demo-debs"
work=$(cd "$work" && pwd)
logs=$work/logs
bundle=$work/bundle
inventory=$work/inventory.yml
export GOFLEET_DRIFT_REPORT_DIR="$work/reports"
engine=${GOFLEET_ENGINE:-podman}
arm64_image=localhost/gofleet/debian-systemd-arm64:12
started=$(date +%s)

say() { echo "demo: $*"; }
# What a person wants to see of a run: the demo's own lines, the drift report lines, the recap.
highlights() {
    grep -E '"demo: |^demo: |drift_run: |gofleet drift report|^PLAY RECAP|: ok=[0-9]+ ' | sed -E 's/^.*"(demo: .*)",?$/\1/'
}
step() {
    local name=$1 t0 rc=0
    shift
    t0=$(date +%s)
    say "== $name"
    "$@" >"$logs/$name.log" 2>&1 || rc=$?
    if [[ ${DEMO_VERBOSE:-} == 1 ]]; then cat "$logs/$name.log"; else highlights <"$logs/$name.log" || true; fi
    if (( rc )); then
        [[ ${DEMO_VERBOSE:-} == 1 ]] || tail -n 40 "$logs/$name.log"
        say "failed: $name (status $rc); full log: $logs/$name.log"
        exit "$rc"
    fi
    say "   $name: $(( $(date +%s) - t0 ))s"
}
report_of() { sed -n 's/^drift_run: report //p' "$logs/$1.log" | sed -n "${2:-1}p"; }

keep=0
case "${DEMO_KEEP:-}" in ""|0|false|no) ;; *) keep=1 ;; esac
finish() {
    local rc=$?
    if (( keep )); then
        say "kept: the hosts and their network (inventory $inventory); remove them with:"
        say "  $playbook playbooks/demo/down.yml $*"
    elif [[ -f $inventory ]] || (( rc )); then
        "$playbook" playbooks/demo/down.yml "$@" >"$logs/down.log" 2>&1 \
            && say "removed the demo hosts (DEMO_KEEP=1 keeps them)" \
            || say "could not remove every demo host: see $logs/down.log"
    fi
    say "wall time: $(( $(date +%s) - started ))s"
    exit "$rc"
}
trap 'finish "$@"' EXIT
rm -f "$inventory"

# arm64: in when asked or by default when possible; qemu-aarch64 is re-enabled right before (containers.md).
arm64=0
case "${DEMO_ARM64:-auto}" in
    0|false|no) say "arm64: left out (DEMO_ARM64=0)" ;;
    *)
        why=""
        if ! "$engine" image inspect "$arm64_image" >/dev/null 2>&1; then
            why="no image $arm64_image (make setup builds it)"
        elif ! out=$(bash tests/harness/binfmt.sh 2>&1); then
            why=$out
        fi
        if [[ -z $why ]]; then
            arm64=1
        elif [[ ${DEMO_ARM64:-auto} == auto ]]; then
            say "skipped: arm64 unavailable: $why"
        else
            say "arm64 asked for (DEMO_ARM64=$DEMO_ARM64) but unavailable: $why"
            exit 1
        fi
        ;;
esac
arches='"amd64"'
(( arm64 )) && arches='"amd64", "arm64"'

say "connected side (no network): module upstream, app, nginx packages, fleet bundle"
go=$("$root/.venv/bin/python" playbooks/demo/connected.py "$work")
if ! ls "$root/.cache/demo-debs"/nginx_*.deb "$root/.cache/demo-debs"/nginx-common_*.deb >/dev/null 2>&1; then
    (cd "$root/.cache/demo-debs" && apt-get download -o APT::Sandbox::User=root nginx nginx-common >"$logs/debs.log" 2>&1) \
        || { say "could not download Debian's nginx packages: see $logs/debs.log"; exit 1; }
fi
step bundle-build "$playbook" playbooks/bundle_build.yml -e "gofleet_bundle_dir=$bundle" \
    -e "gofleet_go_source=file://$root/.cache/artifacts" \
    -e "{\"gofleet_go_versions\": [\"1.22.12\"], \"gofleet_go_arches\": [$arches]}" \
    -e "{\"gofleet_mirror_requirements\": [\"$work/app/go.mod\"]}" -e "gofleet_mirror_upstream=file://$work/upstream" \
    -e "gofleet_mirror_go=$go" -e gofleet_mirror_gosumdb=off "$@"
step bundle-verify "$playbook" playbooks/demo/bundle.yml -e "gofleet_bundle_dir=$bundle" "$@"

(( arm64 )) && bash tests/harness/binfmt.sh >/dev/null 2>&1
step hosts "$playbook" playbooks/demo.yml -e "demo_work=$work" -e "demo_debs=$root/.cache/demo-debs" \
    -e "demo_arm64=$( (( arm64 )) && echo true || echo false)" "$@"
(( arm64 )) && bash tests/harness/binfmt.sh >/dev/null 2>&1

site=(-i "$inventory" playbooks/site.yml -e "gofleet_bundle_dir=$bundle" "$@")
step provision bash playbooks/schedule/drift_run.sh "${site[@]}"
step show "$playbook" -i "$inventory" playbooks/demo/show.yml -e "demo_work=$work" "$@"
step plant "$playbook" -i "$inventory" playbooks/demo/plant.yml "$@"
step drift-cycle bash playbooks/schedule/drift_cycle.sh "${site[@]}"
step check-after bash playbooks/schedule/drift_run.sh "${site[@]}" --check --diff
"$root/.venv/bin/python" playbooks/demo/summary.py "$(report_of drift-cycle 1)" "$(report_of drift-cycle 2)" \
    "$(report_of check-after 1)" | tee "$logs/summary.log"
