#!/usr/bin/env bash
# Make sure the local test images exist; build the missing ones without a registry.
#   bash tests/harness/images.sh [base] [base11] [base13] [selinux] [runit] [arm64]  (default: base)
# localhost/gofleet/debian-systemd:12  Debian 12 + systemd as PID 1, python3 for Ansible
#   built from docker.io/library/debian:12 when a registry answers, else by debootstrap
#   from the host's own mirror and imported.
# localhost/gofleet/debian-systemd:11  the same for Debian 11 (bullseye: systemd 247, Python 3.9)
# localhost/gofleet/debian-systemd:13  the same for Debian 13 (trixie: systemd 257, Python 3.13)
#   both by debootstrap (~1-2 min each); the host's mirror serves both suites (buster is gone).
#   Cached by content: the image carries a label with the hash of its recipe (suite, arch,
#   packages, the bootstrap function's text) and is built again only when that hash changes.
# localhost/gofleet/debian-selinux:12  + SELinux userland (policy store, semanage, python bindings)
# localhost/gofleet/debian-runit:12    + runit, runsvdir as PID 1 supervising /var/service
#   (issue 6 enables services with a link in /var/service, as on Void)
# localhost/gofleet/debian-ssh:12      + openssh-server (key auth only), for bench/ alone: the role
#   over real SSH. Cached by content: its label gofleet.recipe is the sha256 of the base image's id
#   and this recipe; a different one rebuilds it.
# localhost/gofleet/debian-systemd-arm64:12  the base for arm64, by debootstrap --arch=arm64 under
#   qemu-user (tests/harness/binfmt.sh first; ~4 min)
# Every image has systemd-binfmt.service masked: a privileged container booting systemd would
# otherwise unregister the host's binfmt entries (qemu-aarch64) for everyone.  An image built
# before this rule is masked in place (one run + commit).
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
SSH=localhost/gofleet/debian-ssh:12
# Root by key only; no DNS lookups (the containers have no resolver), no PAM prompt delay.
SSH_SETUP='printf "PermitRootLogin prohibit-password\nPasswordAuthentication no\nUseDNS no\nMaxStartups 100\n" > /etc/ssh/sshd_config.d/gofleet-bench.conf; mkdir -p -m 0700 /root/.ssh; systemctl enable ssh.service'
ARM64=localhost/gofleet/debian-systemd-arm64:12
BASE11=localhost/gofleet/debian-systemd:11
BASE13=localhost/gofleet/debian-systemd:13
# Label holding the hash of the recipe an image was bootstrapped from.
RECIPE_LABEL=org.gofleet.recipe
# The units that load binfmt entries at boot, linked to /dev/null in every image.
BINFMT_UNITS="systemd-binfmt.service proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount"
MASK_BINFMT="for u in $BINFMT_UNITS; do ln -sfn /dev/null /etc/systemd/system/\$u; done"
# What Ansible modules, testinfra and the roles need on top of a minimal Debian.
BASE_PKGS=systemd,systemd-sysv,dbus,python3,python3-apt,ca-certificates,sudo,procps,iproute2,tar,gzip,xz-utils,gnupg,less
SYSTEMD_CMD='CMD ["/lib/systemd/systemd"]'

log() { echo "images: $*"; }
exists() { $ce image inspect "$1" >/dev/null 2>&1; }

# The hash of what bootstrap ARCH SUITE builds: change the recipe and the image is built again.
recipe() {
    { echo "$1 $2 $BASE_PKGS $BINFMT_UNITS $SYSTEMD_CMD"; declare -f bootstrap; } | sha256sum | cut -c1-16
}

# REF exists and was built from recipe WANT; an image without the label (built before the label
# existed, pulled, or derived by a run and commit: WANT empty) counts as current.
current() {
    local ref=$1 want=$2 have
    exists "$ref" || return 1
    [[ -n $want ]] || return 0
    have=$($ce image inspect --format "{{ index .Labels \"$RECIPE_LABEL\" }}" "$ref" 2>/dev/null || true)
    [[ -z $have || $have == "<no value>" || $have == "$want" ]] && return 0
    log "$ref was built from another recipe ($have, now $want): building it again"
    return 1
}

# Run the image, install packages with apt, commit as NEW with Dockerfile-style CHANGES.
derive() {
    local from=$1 new=$2 pkgs=$3 extra=${4:-} ctr="gofleet-build-$$"; shift 4
    $ce rm -f "$ctr" >/dev/null 2>&1 || true
    # Not --rm: the stopped container is what gets committed.
    $ce run --name "$ctr" "$from" sh -euc "
        export DEBIAN_FRONTEND=noninteractive
        if [ -n \"$pkgs\" ]; then
            apt-get update -qq
            apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
        fi
        $extra
        $MASK_BINFMT
        apt-get clean; rm -rf /var/lib/apt/lists/*"
    $ce commit "${quiet[@]}" "$@" "$ctr" "$new" >/dev/null
    $ce rm "$ctr" >/dev/null
}

# debootstrap a Debian rootfs of SUITE (bookworm unless given) for ARCH with the base packages
# and import it as REF, labelled with its recipe's hash.
bootstrap() {
    local arch=$1 ref=$2 suite=${3:-bookworm} mirror rootfs log
    rootfs="$root/.cache/images/rootfs-$suite-$arch" log="$root/.cache/images/debootstrap-$suite-$arch.log"
    mirror=$(bash "$here/apt_mirror.sh")
    rm -rf "$rootfs"; mkdir -p "$rootfs"
    # The rootfs must never outlive this function (~300 MB under .cache); the trap removes
    # itself, or it would fire again when the caller returns, with $rootfs out of scope.
    trap 'rm -rf "$rootfs"; trap - RETURN' RETURN
    debootstrap --arch="$arch" --variant=minbase --include="$BASE_PKGS" "$suite" "$rootfs" "$mirror" \
        > "$log" 2>&1 || { tail -n 30 "$log"; return 1; }
    # Leave the image's apt pointing at the same mirror, and as small as it can be.
    echo "deb $mirror $suite main" > "$rootfs/etc/apt/sources.list"
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
    for u in $BINFMT_UNITS; do ln -sfn /dev/null "$rootfs/etc/systemd/system/$u"; done
    tar -C "$rootfs" --numeric-owner -cf - . \
        | $ce import "${quiet[@]}" --arch "$arch" --change "$SYSTEMD_CMD" \
            --change "LABEL $RECIPE_LABEL=$(recipe "$arch" "$suite")" - "$ref" >/dev/null
}

# An image from before the mask rule: mask the units and commit over the same name.
ensure_masked() {
    local ref=$1 ctr="gofleet-mask-$$" cmd
    if $ce run --rm --network none --entrypoint /bin/sh "$ref" -c 'test "$(readlink /etc/systemd/system/systemd-binfmt.service)" = /dev/null'; then
        return
    fi
    cmd=$($ce image inspect --format '{{json .Config.Cmd}}' "$ref")
    $ce rm -f "$ctr" >/dev/null 2>&1 || true
    $ce run --name "$ctr" --network none --entrypoint /bin/sh "$ref" -c "$MASK_BINFMT"
    $ce commit "${quiet[@]}" --change "CMD $cmd" --change 'ENTRYPOINT []' "$ctr" "$ref" >/dev/null
    $ce rm "$ctr" >/dev/null
    log "masked systemd-binfmt in $ref"
}

build_arm64() {
    bash "$here/binfmt.sh"
    bootstrap arm64 "$ARM64"
}

build_base() {
    # A registry image only saves time when one answers; pulls fail in well under a second here.
    if timeout 60 $ce pull -q docker.io/library/debian:12 >/dev/null 2>&1; then
        log "pulled docker.io/library/debian:12; adding systemd and python3"
        derive docker.io/library/debian:12 "$BASE" "${BASE_PKGS//,/ }" "" --change "$SYSTEMD_CMD"
        return
    fi
    log "no registry answers; building $BASE with debootstrap"
    bootstrap amd64 "$BASE"
}

build_base11() { bootstrap amd64 "$BASE11" bullseye; }
build_base13() { bootstrap amd64 "$BASE13" trixie; }

build_selinux() {
    derive "$BASE" "$SELINUX" \
        "selinux-policy-default policycoreutils policycoreutils-python-utils python3-selinux python3-semanage" ""
}

build_runit() {
    # runsvdir -P /var/service: Void's layout, so enabling a service means linking it there.
    derive "$BASE" "$RUNIT" runit "mkdir -p /var/service" \
        --change 'CMD ["runsvdir","-P","/var/service"]'
}

ssh_recipe() {
    printf '%s\n%s\n%s\n' "$($ce image inspect --format '{{.Id}}' "$BASE")" "$SSH_SETUP" "$SYSTEMD_CMD" | sha256sum | cut -c1-64
}

build_ssh() {
    derive "$BASE" "$SSH" openssh-server "$SSH_SETUP" --change "$SYSTEMD_CMD" --change "LABEL gofleet.recipe=$(ssh_recipe)"
}

want=("$@"); ((${#want[@]})) || want=(base)
for flavour in "${want[@]}"; do
    case $flavour in
        base) ref=$BASE stamp=$(recipe amd64 bookworm) ;;
        base11) ref=$BASE11 stamp=$(recipe amd64 bullseye) ;;
        base13) ref=$BASE13 stamp=$(recipe amd64 trixie) ;;
        arm64) ref=$ARM64 stamp=$(recipe arm64 bookworm) ;;
        selinux) ref=$SELINUX stamp="" ;; runit) ref=$RUNIT stamp="" ;; ssh) ref=$SSH stamp="" ;;
        *) echo "images: unknown flavour '$flavour' (base, base11, base13, selinux, runit, arm64, ssh)" >&2; exit 2 ;;
    esac
    t0=$SECONDS
    # ssh is cached by content: a base rebuilt or a recipe changed since makes it stale.
    if [[ $flavour == ssh ]] && exists "$ref" && exists "$BASE" \
        && [[ $($ce image inspect --format '{{index .Config.Labels "gofleet.recipe"}}' "$ref") != "$(ssh_recipe)" ]]; then
        log "$ref is stale (base or recipe changed); rebuilding"; $ce rmi "$ref" >/dev/null
    fi
    if current "$ref" "$stamp"; then ensure_masked "$ref"; log "$ref exists"; continue; fi
    # Every flavour starts from the base.
    if [[ $flavour != base* && $flavour != arm64 ]] && ! exists "$BASE"; then
        t1=$SECONDS; build_base; log "built $BASE ($((SECONDS - t1))s)"
    fi
    "build_$flavour"
    log "built $ref ($((SECONDS - t0))s)"
done
