#!/usr/bin/env bash
# The scheduled drift correction cycle: check -> report -> real run -> report.
#
#   drift_cycle.sh [ansible-playbook arguments...]    e.g. drift_cycle.sh -i /etc/gofleet/inventory playbooks/site.yml
#
# Runs the playbook once with --check --diff, then for real, each through drift_run.sh, so each
# pass leaves its own timestamped report (GOFLEET_DRIFT_REPORT_DIR, the newest GOFLEET_DRIFT_REPORT_KEEP kept).
# Exit status: the real run's when it is not 0; else the check run's (10 = drift was found, and
# repaired, with gofleet_fail_on_drift asked for; see drift_run.sh). The real run is skipped when
# the check could not run at all (status other than 0, 2 or 10), and that status is returned.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)

echo "drift_cycle: check pass"
"$here/drift_run.sh" "$@" --check --diff
check_rc=$?
case $check_rc in
    0|2|10) ;;
    *) echo "drift_cycle: check pass failed (status $check_rc), no real run" >&2; exit "$check_rc" ;;
esac

echo "drift_cycle: real pass"
# The real pass never fails on drift: it repairs it.
GOFLEET_FAIL_ON_DRIFT=false "$here/drift_run.sh" "$@"
real_rc=$?
(( real_rc )) && exit "$real_rc"
exit "$check_rc"
