"""Stand-in for the get-pip bootstrap script that ansible-test downloads from a host this
network cannot reach.  ansible-test runs it inside a fresh, pip-less virtualenv with
get-pip's arguments; we seed pip from the interpreter's own ensurepip, then let that pip
install the exact version asked for from the package index (which is reachable).
"""

import ensurepip
import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}

ensurepip.bootstrap(upgrade=True)
args = [a for a in sys.argv[1:] if a not in GET_PIP_ONLY]
# A fresh process: pip run in-process right after ensurepip fails its TLS set-up here.
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
