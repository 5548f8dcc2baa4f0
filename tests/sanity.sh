#!/usr/bin/env bash
# ansible-test must run from inside ansible_collections/<namespace>/<name>, on the real
# files (not through a link), so it gets a copy of what git would ship.
#   bash tests/sanity.sh [ansible-test args]                      the shared .venv's ansible-core
#   GOFLEET_SANITY_VENV=$(bash tests/matrix/venv.sh 2.17) bash tests/sanity.sh   another one (issue 15)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${GOFLEET_SANITY_VENV:-$root/.venv}
pyver=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
tag=$("$venv/bin/python" -c 'import ansible.release as r; print(".".join(r.__version__.split(".")[:2]))')
dest="$root/.build/sanity-$tag/ansible_collections/gofleet/golang"
rm -rf "$dest"
mkdir -p "$dest"
cd "$root"
git ls-files -co --exclude-standard -z | grep -zv '^\.build/' | xargs -0 cp --parents -t "$dest"
cd "$dest"
# ansible-test bootstraps pip in its sanity venvs with a script from a host that is not
# reachable here; give it the offline stand-in under the name it looks for.
pip_version=$("$venv/bin/python" -c 'import re, ansible_test._internal.python_requirements as p, inspect; print(re.search(r"pip=.([0-9.]+).", inspect.getsource(p)).group(1))')
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
if ! cmp -s "$root/tests/tools/get_pip_offline.py" "$cache"; then
    mkdir -p "$(dirname "$cache")"
    cp "$root/tests/tools/get_pip_offline.py" "$cache"
fi
# ansible-test reads the file list from git when there is one.
git init -q && git add -A
# The controller runs the venv's Python; node code targets Python 3.7 (tests/quality/test_python37.py:
# vermin, and compileall with every interpreter found).
exec "$venv/bin/ansible-test" sanity --color no --python "$pyver" "$@"
