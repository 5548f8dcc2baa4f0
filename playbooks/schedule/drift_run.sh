#!/usr/bin/env bash
# One ansible-playbook run with the gofleet drift report, its report turned into an exit status.
#
#   drift_run.sh [ansible-playbook arguments...]      e.g. drift_run.sh -i inv playbooks/site.yml --check --diff
#
# A callback cannot set ansible-playbook's exit status, so this wrapper does, from the report's
# `exit_status` (schema gofleet.drift-report/1, docs/drift_report.md). Exit status:
#   0    the run succeeded (and, in a check run, no drift, or drift without gofleet_fail_on_drift)
#   1-9, 99, 250  ansible-playbook's own status, passed through (1 error, 2 a host failed,
#        4 a host unreachable or a parse error, 5 bad options, 99 interrupted, 250 unexpected)
#   10   a --check run found drift and it was asked to fail on it: -e gofleet_fail_on_drift=true,
#        or GOFLEET_FAIL_ON_DRIFT=true, or fail_on_drift in ansible.cfg [gofleet_drift_report]
#   11   ansible-playbook succeeded but wrote no report (the callback did not load)
# A failure outranks drift: 10 only when ansible-playbook itself exited 0.
#
# The callback is added to ANSIBLE_CALLBACKS_ENABLED, which replaces callbacks_enabled from
# ansible.cfg: list any other callback you want in that variable. Nothing here prints options
# or variables: secrets stay in vault files and no_log tasks.
set -uo pipefail

ansible_playbook=${ANSIBLE_PLAYBOOK:-ansible-playbook}
path_file=$(mktemp "${TMPDIR:-/tmp}/gofleet-drift-path.XXXXXX") || exit 1
trap 'rm -f "$path_file"' EXIT
export GOFLEET_DRIFT_REPORT_PATH_FILE="$path_file"
export ANSIBLE_CALLBACKS_ENABLED="${ANSIBLE_CALLBACKS_ENABLED:+$ANSIBLE_CALLBACKS_ENABLED,}gofleet.golang.drift_report"

"$ansible_playbook" "$@"
rc=$?

report=$(head -n 1 "$path_file" 2>/dev/null)
if [[ -z $report || ! -f $report/drift-report.json ]]; then
    echo "drift_run: no drift report was written (is the collection gofleet.golang installed?)" >&2
    exit $(( rc ? rc : 11 ))
fi
echo "drift_run: report $report"
(( rc )) && exit "$rc"
status=$(python3 -c 'import json, sys; print(int(json.load(open(sys.argv[1]))["exit_status"]))' \
         "$report/drift-report.json") || exit 11
exit "$status"
