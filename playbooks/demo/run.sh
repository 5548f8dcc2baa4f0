#!/usr/bin/env bash
# `make demo`: two Debian containers with no network, provisioned from the controller-side
# bundle in .cache/artifacts, each printing its Go version and a hello build.
#   DEMO_KEEP=1 (make demo DEMO_KEEP=1) keeps the containers; more ansible-playbook
#   arguments pass through, e.g. -e demo_prefix=mydemo.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export ANSIBLE_COLLECTIONS_PATH="$root/.build" ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
keep=()
case "${DEMO_KEEP:-}" in
    ""|0|false|no) ;;
    *) keep=(-e demo_keep=true) ;;
esac
exec .venv/bin/ansible-playbook -i localhost, playbooks/demo.yml -e "gofleet_bundle_dir=$root/.cache/artifacts" "${keep[@]}" "$@"
