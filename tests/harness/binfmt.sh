#!/usr/bin/env bash
# Make arm64 binaries runnable on this amd64 host through qemu-user, right before arm64 work.
#   bash tests/harness/binfmt.sh            (root; qemu-user-static + binfmt-support installed
#                                            by host_deps.sh)
# A privileged container that boots systemd with systemd-binfmt.service unmasked wipes the
# host's binfmt entries, so this is run again before every arm64 step, never only once.
# Debian's qemu-aarch64 entry carries the F flag: chroots and containers need no qemu inside.
set -euo pipefail

PATH="$PATH:/usr/sbin:/sbin"
bm=/proc/sys/fs/binfmt_misc
log() { echo "binfmt: $*" >&2; }

if [[ ! -e $bm/register ]]; then
    mount -t binfmt_misc binfmt_misc "$bm"
fi
if [[ $(cat "$bm/status" 2>/dev/null) != enabled ]]; then
    echo 1 > "$bm/status"
fi
if [[ ! -e $bm/qemu-aarch64 ]] || ! grep -q '^enabled' "$bm/qemu-aarch64"; then
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || update-binfmts --import qemu-aarch64
fi
out=$(/usr/lib/arch-test/arm64 2>&1 || true)
if [[ $out != ok ]]; then
    log "arm64 binaries do not run here: ${out:-no output} (qemu-user-static and binfmt-support installed?)"
    exit 1
fi
log "qemu-aarch64 enabled ($(grep -m1 '^flags' "$bm/qemu-aarch64"))"
