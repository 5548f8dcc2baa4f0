#!/usr/bin/env bash
# Print the Debian mirror URI this machine's own apt sources use for its release
# (e.g. http://deb.debian.org/debian). go_tarballs.sh and images.sh fetch from the
# same mirror as the host, because on air-gapped or proxied machines that is the
# only one that answers. Reads both deb822 (*.sources) and one-line (*.list) files.
# Falls back to deb.debian.org when the host is not Debian or names no such mirror.
set -euo pipefail

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
fallback=http://deb.debian.org/debian

files=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] && files+=("$f")
done

mirror=""
if [[ -n $codename && ${#files[@]} -gt 0 ]]; then
    # Wanted: a source that serves exactly "$codename" (not -security/-updates) from main.
    mirror=$(awk -v want="$codename" '
        function emit(u) { sub(/\/+$/, "", u); print u; found = 1; exit }
        FILENAME ~ /\.sources$/ {
            # deb822: stanzas separated by blank lines.
            if ($0 ~ /^[[:space:]]*$/) { uris = ""; suites = ""; types = ""; next }
            if (tolower($1) == "types:")  { types = $0 }
            if (tolower($1) == "uris:")   { uris = $2 }
            if (tolower($1) == "suites:") { suites = " " $0 " " }
            if (types ~ /[[:space:]]deb([[:space:]]|$)/ && uris != "" && suites ~ (" " want " ")) emit(uris)
            next
        }
        # One-line format: deb [options] URI SUITE COMPONENTS...
        $1 == "deb" {
            i = 2
            if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
            if ($(i + 1) == want) emit($i)
        }
    ' "${files[@]}" || true)
fi

echo "${mirror:-$fallback}"
