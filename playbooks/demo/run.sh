#!/usr/bin/env bash
# `make demo`: two Debian containers with no network, provisioned from a fleet bundle built
# (playbooks/bundle_build.yml) from the go.dev/dl-shaped .cache/artifacts into .cache/fleet-bundle,
# each printing its Go version and a hello build.
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
bundle="$root/.cache/fleet-bundle"
.venv/bin/ansible-playbook playbooks/bundle_build.yml -e "gofleet_bundle_dir=$bundle" \
    -e "gofleet_go_source=file://$root/.cache/artifacts" \
    -e '{"gofleet_go_versions": ["1.22.12"], "gofleet_go_arches": ["amd64"]}'
exec .venv/bin/ansible-playbook -i localhost, playbooks/demo.yml -e "gofleet_bundle_dir=$bundle" \
    -e gofleet_go_version=1.22.12 "${keep[@]}" "$@"
