"""Stand-in for the get-pip bootstrap script that ansible-test downloads from a host this
network cannot reach.  ansible-test runs it inside a fresh, pip-less virtualenv with
get-pip's arguments; we seed pip from the interpreter's own ensurepip, then let that pip
install the exact version asked for from the package index (which is reachable).
"""

import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}

ensurepip.bootstrap(upgrade=True)
args = [a for a in sys.argv[1:] if a not in GET_PIP_ONLY]
# ensurepip points PIP_CONFIG_FILE at /dev/null, which would hide the machine's pip
# configuration (its CA bundle and package index) from the install below.
env = dict((k, v) for k, v in os.environ.items() if k != "PIP_CONFIG_FILE")
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args, env=env))
