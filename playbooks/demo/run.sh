#!/usr/bin/env bash
# `make demo`: two Debian containers with no network, provisioned from the controller-side
# bundle in .cache/artifacts, each printing its Go version and a hello build.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export ANSIBLE_COLLECTIONS_PATH="$root/.build" ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
exec .venv/bin/ansible-playbook -i localhost, playbooks/demo.yml -e "gofleet_bundle_dir=$root/.cache/artifacts" "$@"
