"""Offline stand-in for the get-pip.py that `ansible-test --venv` downloads from ci-files.testing.ansible.com.

This machine reaches PyPI but not that host. ansible-test's own error message says the script "can be
manually downloaded and saved to ~/.ansible/test/cache/get_pip_<version>.py"; `make sanity` saves this
one there instead. It does what get-pip does, with the standard library's ensurepip and then PyPI:
bootstrap pip into the fresh venv and install the pinned packages ansible-test asks for (pip==<version>).
"""

import subprocess
import sys

# get-pip.py's own flags, which pip install does not take.
GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install", *[a for a in sys.argv[1:] if a not in GET_PIP_ONLY]])
