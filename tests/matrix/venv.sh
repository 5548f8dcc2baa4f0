#!/usr/bin/env bash
# The ansible-core matrix (issue 15 item 3): one venv per claimed ansible-core, outside the
# shared .venv (which stays on requirements.txt's 2.19), under .cache/matrix/<version>/venv.
#   bash tests/matrix/venv.sh 2.17     -> prints the venv's path (creates it when missing)
# 2.17 is the oldest (the last that manages Python 3.7 nodes: Kylin V10, UOS 20) and runs on
# the machine's python3.11; 2.21 needs Python >= 3.12, taken from PATH or pyenv's versions.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
series=${1:?usage: venv.sh 2.17|2.21}
case "$series" in
    2.17) pin=2.17.14; pythons="python3.11 python3.12" ;;
    2.21) pin=2.21.5;  pythons="python3.13 python3.12" ;;
    *) echo "venv.sh: no pin for ansible-core $series" >&2; exit 2 ;;
esac
dir="$root/.cache/matrix/$series/venv"
if [ -x "$dir/bin/ansible-test" ] && [ "$(cat "$dir/.pin" 2>/dev/null)" = "$pin" ]; then
    echo "$dir"; exit 0
fi
python=""
for name in $pythons; do
    for candidate in "$(command -v "$name" || true)" "$HOME"/.pyenv/versions/"${name#python}".*/bin/"$name"; do
        # a pyenv shim for a version that is not installed fails here, so it is never chosen
        if [ -x "$candidate" ] && "$candidate" -c 'import ssl, venv' >/dev/null 2>&1; then python=$candidate; break 2; fi
    done
done
if [ -z "$python" ]; then
    echo "venv.sh: no interpreter for ansible-core $series (wanted one of: $pythons)" >&2; exit 3
fi
rm -rf "$dir"
"$python" -m venv "$dir"
"$dir/bin/pip" install --quiet --upgrade pip
# The same companions as the shared venv where they matter to sanity: jinja2 and pyyaml pins.
"$dir/bin/pip" install --quiet "ansible-core==$pin" jinja2==3.1.6 pyyaml==6.0.3
echo "$pin" > "$dir/.pin"
echo "$dir"
