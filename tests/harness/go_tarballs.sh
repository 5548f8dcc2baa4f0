#!/usr/bin/env bash
# Produce official-layout Go tarballs (goX.Y.Z.linux-ARCH.tar.gz, members go/...) and
# a SHA256SUMS in .cache/artifacts/ for the tests, without go.dev:
#   1. official tarballs a user dropped into artifacts/ (listed in artifacts/SHA256SUMS)
#      are verified and used as they are;
#   2. otherwise Debian's golang-1.2x-go + golang-1.2x-src from bookworm-backports are
#      fetched with a project-local apt configuration (the host's /etc/apt is never
#      edited) and repacked into the official layout.
# Work already done (tarball present, checksum matching) is skipped.
#   bash tests/harness/go_tarballs.sh                     the host's arch, golang-1.22 and 1.23
#   bash tests/harness/go_tarballs.sh golang-1.22:arm64   also these PACKAGE:ARCH (repacked from
#                                                         Debian's arm64 golang-1.22-go; ~20 s)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="$root/.cache"
out="$cache/artifacts"
dropped="$root/artifacts"
series=(golang-1.22 golang-1.23)          # Debian source packages; versions come from VERSION
host_arch=$(dpkg --print-architecture)     # amd64/arm64 are spelt the same by Go and Debian
targets=()
for pkg in "${series[@]}"; do targets+=("$pkg:$host_arch"); done
for t in "$@"; do
    [[ $t =~ ^golang-1\.[0-9]+:(amd64|arm64)$ ]] || { echo "go_tarballs: want PACKAGE:ARCH like golang-1.22:arm64, got '$t'" >&2; exit 2; }
    [[ " ${targets[*]} " == *" $t "* ]] || targets+=("$t")
done

start=$(date +%s)
mkdir -p "$out"
log() { echo "go_tarballs: $*"; }

# --- project-local apt, reading the mirror from the host's own sources ---------------
apt_dir="$cache/apt"
apt_opts=(
    -o "Dir::Etc::SourceList=$apt_dir/sources.list"
    -o "Dir::Etc::SourceParts=$apt_dir/empty.d"        # not /etc/apt/sources.list.d
    -o "Dir::Etc::Preferences=$apt_dir/preferences"    # no host pinning either
    -o "Dir::Etc::PreferencesParts=$apt_dir/empty.d"
    -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Cache=$apt_dir/cache"
    -o "APT::Sandbox::User=root"             # _apt cannot write into the checkout
    -o "APT::Architectures::=amd64" -o "APT::Architectures::=arm64"   # no dpkg --add-architecture on the host
)
apt_updated=""
apt_update_once() {
    if [[ -z $apt_updated ]]; then
        local mirror keyring=/usr/share/keyrings/debian-archive-keyring.gpg
        mirror=$(bash "$here/apt_mirror.sh")
        mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/empty.d"
        echo "deb [signed-by=$keyring] $mirror bookworm-backports main" > "$apt_dir/sources.list"
        log "apt-get update (project-local) from $mirror bookworm-backports"
        apt-get "${apt_opts[@]}" update -qq
        apt_updated=1
    fi
}

# sha256 recorded for FILE in SUMS (sha256sum format), empty if none.
recorded_sum() { awk -v f="$2" '{ n = $2; sub(/^\*/, "", n) } n == f { print $1; exit }' "$1" 2>/dev/null || true; }
# true when $out/FILE exists and matches what $out/SHA256SUMS says.
cached_ok() {
    local want; want=$(recorded_sum "$out/SHA256SUMS" "$1")
    [[ -n $want && -f $out/$1 ]] && [[ $(sha256sum "$out/$1" | cut -d' ' -f1) == "$want" ]]
}

# Both producers below set $made to the tarball's file name (empty: not produced).
# --- 1. official tarballs dropped in by a user ------------------------------------
use_dropped() {
    local minor=${1#golang-} f want
    made=""
    [[ -f $dropped/SHA256SUMS ]] || return 0
    # goMINOR.linux-ARCH.tar.gz or goMINOR.PATCH.linux-ARCH.tar.gz; newest patch release wins.
    f=$(find "$dropped" -maxdepth 1 -type f -printf '%f\n' \
        | grep -E "^go${minor//./\\.}(\.[0-9]+)?\.linux-$arch\.tar\.gz$" | sort -V | tail -n1 || true)
    [[ -n $f ]] || return 0
    want=$(recorded_sum "$dropped/SHA256SUMS" "$f")
    [[ -n $want ]] || { log "artifacts/$f is not listed in artifacts/SHA256SUMS" >&2; exit 1; }
    [[ $(sha256sum "$dropped/$f" | cut -d' ' -f1) == "$want" ]] \
        || { log "artifacts/$f does not match artifacts/SHA256SUMS" >&2; exit 1; }
    if ! cached_ok "$f"; then
        cp "$dropped/$f" "$out/$f.tmp" && mv "$out/$f.tmp" "$out/$f"
        log "copied official artifacts/$f (verified)"
    else
        log "cached: official $f"
    fi
    made=$f
}

# --- 2. repack Debian's packages --------------------------------------------------
repack() {
    local pkg=$1 minor=${1#golang-} f
    # The host arch keeps its old stamp and work dir names (shared caches predate the others).
    local tag=$pkg; [[ $arch == "$host_arch" ]] || tag="$pkg-$arch"
    local stamp="$cache/go/$tag.built"
    # The stamp records which tarball the last repack produced, so a warm cache needs no network.
    if [[ -f $stamp ]] && f=$(cat "$stamp") && cached_ok "$f"; then
        log "cached: $f"; made=$f; return
    fi
    local work="$cache/go/$tag" debs="$cache/go/$tag/debs"
    rm -rf "$work"; mkdir -p "$debs" "$work/root"
    apt_update_once
    (cd "$debs" && apt-get "${apt_opts[@]}" download -qq "$pkg-go:$arch" "$pkg-src")
    for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$work/root"; done

    local lib="$work/root/usr/lib/go-$minor" share="$work/root/usr/share/go-$minor" go="$work/go"
    local version; version=$(head -n1 "$lib/VERSION")
    mkdir -p "$go/pkg"
    # The lib tree's src, api, misc, test and pkg/include are symlinks into /usr/share:
    # take the real files, or every relocated build fails on textflag.h.
    cp -a "$lib/VERSION" "$lib/go.env" "$lib/bin" "$go/"
    cp -a "$lib/pkg/tool" "$go/pkg/"
    for d in api misc src test lib doc; do
        if [[ -d $share/$d ]]; then cp -a "$share/$d" "$go/"; fi
    done
    cp -a "$share/pkg/include" "$go/pkg/"
    if find "$go" -type l -lname '/*' | grep -q .; then
        log "absolute symlinks left in $go; refusing to pack a tree that points into the host"
        find "$go" -type l -lname '/*' >&2; exit 1
    fi

    f="$version.linux-$arch.tar.gz"
    # Fixed order, owner and mtime so that a rebuild from the same packages gives the same bytes.
    tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner \
        --mtime="@$(stat -c %Y "$lib/VERSION")" -cf - go | gzip -n > "$out/$f.tmp"
    mv "$out/$f.tmp" "$out/$f"
    mkdir -p "$(dirname "$stamp")"; echo "$f" > "$stamp"
    rm -rf "$work/root" "$go"                # keep only the downloaded .debs
    log "built $f from $(cd "$debs" && echo *.deb)"
    made=$f
}

produced=()
for target in "${targets[@]}"; do
    pkg=${target%%:*} arch=${target##*:}
    t0=$(date +%s)
    use_dropped "$pkg"
    [[ -n $made ]] || repack "$pkg"
    produced+=("$made")
    log "$pkg -> .cache/artifacts/$made ($(( $(date +%s) - t0 ))s)"
done

# SHA256SUMS lists exactly what this run produced; re-hashing ~70 MB each takes <1 s.
(cd "$out" && sha256sum "${produced[@]}") > "$out/SHA256SUMS.tmp"
mv "$out/SHA256SUMS.tmp" "$out/SHA256SUMS"
log "wrote .cache/artifacts/SHA256SUMS:"; sed 's/^/  /' "$out/SHA256SUMS"
# ... and index.json in go.dev's ?mode=json&include=all shape, so .cache/artifacts is a
# go.dev/dl-shaped source for playbooks/bundle_build.yml (file://.../.cache/artifacts).
python3 - "$out" "${produced[@]}" <<'PY'
import hashlib, json, os, re, sys
out, names = sys.argv[1], sys.argv[2:]
sums = dict(reversed(l.split(None, 1)) for l in open(os.path.join(out, "SHA256SUMS")).read().splitlines())
releases = {}
for name in names:
    version, arch = re.match(r"^go([0-9.]+)\.linux-([0-9a-z]+)\.tar\.gz$", name).groups()
    releases.setdefault(version, []).append({
        "filename": name, "os": "linux", "arch": arch, "version": "go" + version,
        "sha256": sums[name], "size": os.path.getsize(os.path.join(out, name)), "kind": "archive"})
index = [{"version": "go" + v, "stable": True, "files": releases[v]}
         for v in sorted(releases, key=lambda v: [int(x) for x in v.split(".")], reverse=True)]
with open(os.path.join(out, "index.json.tmp"), "w") as f:
    json.dump(index, f, indent=1)
os.rename(os.path.join(out, "index.json.tmp"), os.path.join(out, "index.json"))
PY
log "wrote .cache/artifacts/index.json (go.dev format)"
log "done in $(( $(date +%s) - start ))s"
