#!/usr/bin/env bash
# Install the host tools the test harness needs, and only those that are missing,
# so that re-runs cost nothing and never touch apt when all is present. Run as root.
#   podman, runc          container engine; runc because crun fails on hybrid cgroups
#   uidmap                newuidmap/newgidmap, which podman wants present
#   debootstrap           builds the Debian base image when no registry answers
#   debian-archive-keyring  verifies debootstrap and the project-local apt fetches
#   gpg, xz-utils, curl   signature tests, .deb payloads, probing the podman socket
#   ca-certificates       https mirrors
#   chromium              headless browser that renders the drift report's HTML page in its test
#   qemu-user-static, binfmt-support, arch-test   arm64 containers under qemu-user (binfmt.sh)
set -euo pipefail

start=$(date +%s)

# command or file that proves each package is installed -> package name
declare -A probe=(
    [podman]=podman
    [runc]=runc
    [newuidmap]=uidmap
    [debootstrap]=debootstrap
    [gpg]=gpg
    [xz]=xz-utils
    [curl]=curl
    [/usr/share/keyrings/debian-archive-keyring.gpg]=debian-archive-keyring
    [/etc/ssl/certs/ca-certificates.crt]=ca-certificates
    [chromium]=chromium
    [qemu-aarch64-static]=qemu-user-static
    [update-binfmts]=binfmt-support
    [/usr/lib/arch-test/arm64]=arch-test
)

missing=()
for p in "${!probe[@]}"; do
    if [[ $p == /* ]]; then
        [[ -e $p ]] || missing+=("${probe[$p]}")
    else
        # sbin may be off PATH for non-login root shells, so look there too.
        PATH="$PATH:/usr/sbin:/sbin" command -v "$p" >/dev/null || missing+=("${probe[$p]}")
    fi
done

if ((${#missing[@]})); then
    [[ $(id -u) == 0 ]] || { echo "host_deps: need root to install: ${missing[*]}" >&2; exit 1; }
    echo "host_deps: installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Recommends included: the podman setup in the notes was verified that way.
    apt-get install -y -qq "${missing[@]}"
else
    echo "host_deps: all present, nothing to install"
fi

echo "host_deps: done in $(( $(date +%s) - start ))s"
