"""scripts/find-python picks a Python the pinned ansible-core supports, or says in one line what is needed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "find-python"


def _run(env):
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False)


def test_uses_the_python_named_in_PYTHON():
    result = _run({"PATH": "/usr/bin:/bin", "PYTHON": sys.executable, "PYENV_ROOT": "/nonexistent", "HOME": "/nonexistent"})
    assert result.returncode == 0
    assert os.path.samefile(result.stdout.strip(), sys.executable)


def test_fails_in_one_line_naming_what_is_needed(tmp_path):
    # Only a Python older than 3.12 on PATH, and no pyenv.
    old = next((p for p in ("/root/.pyenv/versions/3.11.7/bin/python3", "/usr/bin/python3") if Path(p).exists()), None)
    if old is None or subprocess.run([old, "-c", "import sys; sys.exit(sys.version_info >= (3, 12))"], check=False).returncode:
        pytest.skip("no Python older than 3.12 on this machine to stand in for an unsupported one")
    (tmp_path / "python3").symlink_to(old)
    result = _run({"PATH": f"{tmp_path}:/usr/bin:/bin", "PYENV_ROOT": "/nonexistent", "HOME": "/nonexistent"})
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Python 3.12, 3.13 or 3.14" in lines[0] and "PYTHON=" in lines[0]


@pytest.mark.parametrize("on_path", ["bin", "shims"])
def test_finds_pyenv_versions_from_a_shell_without_the_users_profile(tmp_path, on_path):
    # env -i, cron and CI keep pyenv on PATH but drop PYENV_ROOT, and `pyenv root` then answers $HOME/.pyenv
    # (an empty HOME here): the versions are found where the pyenv on PATH lives.
    pyenv_root = tmp_path / "pyenv"
    (pyenv_root / "bin").mkdir(parents=True)
    (pyenv_root / "shims").mkdir()
    (pyenv_root / "versions" / "3.12.9" / "bin").mkdir(parents=True)
    (pyenv_root / "versions" / "3.12.9" / "bin" / "python3").symlink_to(sys.executable)
    fake_pyenv = pyenv_root / "bin" / "pyenv"
    fake_pyenv.write_text('#!/bin/sh\n[ "$1" = root ] && echo "${PYENV_ROOT:-$HOME/.pyenv}"\n')
    fake_pyenv.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    result = _run({"PATH": f"{pyenv_root / on_path}:/usr/bin:/bin", "HOME": str(home)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(str(pyenv_root / "versions" / "3.12.9"))
