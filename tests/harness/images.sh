#!/usr/bin/env bash
# Make sure the local test images exist; build the missing ones without a registry.
#   bash tests/harness/images.sh [base] [selinux] [runit]      (default: base)
# localhost/gofleet/debian-systemd:12  Debian 12 + systemd as PID 1, python3 for Ansible
#   built from docker.io/library/debian:12 when a registry answers, else by debootstrap
#   from the host's own mirror and imported.
# localhost/gofleet/debian-selinux:12  + SELinux userland (policy store, semanage, python bindings)
# localhost/gofleet/debian-runit:12    + runit, runsvdir as PID 1 supervising /var/service
#   (issue 6 enables services with a link in /var/service, as on Void)
# Flavours are derived by running the base, apt-get installing and committing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

# Not yet set up by the caller (podman also needs the project's containers.conf).
if [[ -z ${GOFLEET_ENGINE:-} || ( $GOFLEET_ENGINE == podman && -z ${CONTAINERS_CONF:-} ) ]]; then
    eval "$(bash "$here/engine.sh" env)"
fi
ce=$GOFLEET_ENGINE                          # podman or docker; same CLI verbs below
quiet=(); [[ $ce == podman ]] && quiet=(-q)  # podman's import/commit progress is noise

BASE=localhost/gofleet/debian-systemd:12
SELINUX=localhost/gofleet/debian-selinux:12
RUNIT=localhost/gofleet/debian-runit:12
# What Ansible modules, testinfra and the roles need on top of a minimal Debian.
BASE_PKGS=systemd,systemd-sysv,dbus,python3,python3-apt,ca-certificates,sudo,procps,iproute2,tar,gzip,xz-utils,gnupg,less
SYSTEMD_CMD='CMD ["/lib/systemd/systemd"]'

log() { echo "images: $*"; }
exists() { $ce image inspect "$1" >/dev/null 2>&1; }

# Run the image, install packages with apt, commit as NEW with Dockerfile-style CHANGES.
derive() {
    local from=$1 new=$2 pkgs=$3 extra=${4:-} ctr="gofleet-build-$$"; shift 4
    $ce rm -f "$ctr" >/dev/null 2>&1 || true
    # Not --rm: the stopped container is what gets committed.
    $ce run --name "$ctr" "$from" sh -euc "
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
        $extra
        apt-get clean; rm -rf /var/lib/apt/lists/*"
    $ce commit "${quiet[@]}" "$@" "$ctr" "$new" >/dev/null
    $ce rm "$ctr" >/dev/null
}

build_base() {
    # A registry image only saves time when one answers; pulls fail in well under a second here.
    if timeout 60 $ce pull -q docker.io/library/debian:12 >/dev/null 2>&1; then
        log "pulled docker.io/library/debian:12; adding systemd and python3"
        derive docker.io/library/debian:12 "$BASE" "${BASE_PKGS//,/ }" "" --change "$SYSTEMD_CMD"
        return
    fi
    log "no registry answers; building $BASE with debootstrap"
    local mirror rootfs="$root/.cache/images/rootfs-debian12"
    mirror=$(bash "$here/apt_mirror.sh")
    rm -rf "$rootfs"; mkdir -p "$rootfs"
    # The rootfs must never outlive this function (~300 MB under .cache).
    trap 'rm -rf "$rootfs"' RETURN
    debootstrap --variant=minbase --include="$BASE_PKGS" bookworm "$rootfs" "$mirror" \
        > "$root/.cache/images/debootstrap.log" 2>&1 \
        || { tail -n 30 "$root/.cache/images/debootstrap.log"; return 1; }
    # Leave the image's apt pointing at the same mirror, and as small as it can be.
    echo "deb $mirror bookworm main" > "$rootfs/etc/apt/sources.list"
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
    tar -C "$rootfs" --numeric-owner -cf - . | $ce import "${quiet[@]}" --change "$SYSTEMD_CMD" - "$BASE" >/dev/null
}

build_selinux() {
    derive "$BASE" "$SELINUX" \
        "selinux-policy-default policycoreutils policycoreutils-python-utils python3-selinux python3-semanage" ""
}

build_runit() {
    # runsvdir -P /var/service: Void's layout, so enabling a service means linking it there.
    derive "$BASE" "$RUNIT" runit "mkdir -p /var/service" \
        --change 'CMD ["runsvdir","-P","/var/service"]'
}

want=("$@"); ((${#want[@]})) || want=(base)
for flavour in "${want[@]}"; do
    case $flavour in
        base) ref=$BASE ;; selinux) ref=$SELINUX ;; runit) ref=$RUNIT ;;
        *) echo "images: unknown flavour '$flavour' (base, selinux, runit)" >&2; exit 2 ;;
    esac
    t0=$SECONDS
    if exists "$ref"; then log "$ref exists"; continue; fi
    # Every flavour starts from the base.
    if [[ $flavour != base ]] && ! exists "$BASE"; then
        t1=$SECONDS; build_base; log "built $BASE ($((SECONDS - t1))s)"
    fi
    "build_$flavour"
    log "built $ref ($((SECONDS - t0))s)"
done
