"""Integration fixtures: a real emulator over HTTP, started and stopped through scripts/emulator."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Emulator:
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests(self) -> dict:
        with urllib.request.urlopen(f"{self.endpoint}/_corp/requests") as response:
            return json.load(response)

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/_corp/requests", method="DELETE")).close()

    def env(self) -> dict[str, str]:
        """The environment every test command runs with: the emulator as the only AWS endpoint. The caller's own
        ANSIBLE_* and AWS_* variables (a profile, a session token, a callback) are left out: a user's shell must
        not change what the tests see."""
        return dict(
            {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "AWS_"))},
            AWS_ENDPOINT_URL=self.endpoint,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        )

    def client(self, service: str):
        """A boto3 client for the emulator, as the tests' own eyes on the live state."""
        import boto3

        return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


def changed(result: subprocess.CompletedProcess) -> int:
    """The changed count of the PLAY RECAP line for host local."""
    return int(re.search(r"^local\s+: ok=\d+\s+changed=(\d+)", result.stdout, re.MULTILINE).group(1))


def emulator_command(command: str, port: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "scripts" / "emulator"), command, "--port", str(port)],
        env=dict(os.environ, CORP_PYTHON=sys.executable),
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


@pytest.fixture(scope="session")
def emulator():
    # Tests that write the shared outputs/ would otherwise count its creation as a change or not, depending on
    # which of them a worker ran first from a fresh clone.
    (ROOT / "outputs").mkdir(exist_ok=True)
    port = free_port()
    started = emulator_command("start", port)
    assert started.returncode == 0, started.stderr
    yield Emulator(port)
    emulator_command("stop", port)


@dataclass
class Installed:
    """corp.infra built into a tarball and installed into an empty collections path, as a user installs it."""

    tarball: Path
    path: Path  # the collections path
    config: Path  # an empty ansible.cfg: nothing points at the checkout

    @property
    def collection(self) -> Path:
        return self.path / "ansible_collections" / "corp" / "infra"

    def env(self) -> dict[str, str]:
        return {"ANSIBLE_CONFIG": str(self.config), "ANSIBLE_COLLECTIONS_PATH": str(self.path)}


def install_collection(base: Path) -> Installed:
    """Build the collection's tarball and install it under ``base``. The empty target is the only collections path
    (not ~/.ansible/collections, where another tool may have put a copy), so "already installed" cannot hide a broken
    tarball; amazon.aws and community.aws come with the pinned `ansible` package (Galaxy is not reachable here)."""
    target, config = base / "collections", base / "ansible.cfg"
    config.write_text("[defaults]\n")
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_CONFIG=str(config), ANSIBLE_COLLECTIONS_PATH=str(target))

    def galaxy(*args):
        result = subprocess.run([str(BIN / "ansible-galaxy"), *map(str, args)], cwd=base, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    galaxy("collection", "build", "--output-path", base / "dist", ROOT)
    (tarball,) = (base / "dist").glob("corp-infra-*.tar.gz")
    galaxy("collection", "install", "--no-deps", "-p", target, tarball)
    return Installed(tarball=tarball, path=target, config=config)


@pytest.fixture(scope="session")
def installed_collection(tmp_path_factory) -> Installed:
    """One installed copy per test process, shared by the tests that run or inspect it."""
    return install_collection(tmp_path_factory.mktemp("installed"))


def ansible_playbook(
    emulator: Emulator,
    *args: str,
    check: bool = False,
    endpoint: str | None = None,
    installed: Installed | None = None,
    cwd: Path = ROOT,
) -> subprocess.CompletedProcess:
    """Run ansible-playbook against the emulator (or ``endpoint``, e.g. a fault proxy in front of it), with the
    checkout's collection, or with ``installed``'s (an installed tarball, the only corp.infra on its path) in ``cwd``."""
    result = subprocess.run(
        [str(BIN / "ansible-playbook"), *args],
        cwd=cwd,
        env=emulator.env() | ({"AWS_ENDPOINT_URL": endpoint} if endpoint else {}) | (installed.env() if installed else {}),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result


@contextlib.contextmanager
def fault_proxy(emulator: Emulator, *options: str):
    """Run corp_emulator.faults in front of ``emulator`` (``options``: its command line, e.g. --throttle-rate 0.2)
    and yield its endpoint."""
    port = free_port()
    command = [sys.executable, "-m", "corp_emulator.faults", "--listen", str(port), "--upstream", emulator.endpoint, *options]
    process = subprocess.Popen(command, cwd=ROOT / "scripts", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(50):
            try:
                urllib.request.urlopen(f"{endpoint}/_faults", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


def faults(endpoint: str, command: str = "", **params: str | int) -> dict:
    """The proxy's counts and state (no command), or switch a fault: faults(proxy, "fail", action=..., code=...)."""
    query = urllib.parse.urlencode(params)
    request = urllib.request.Request(f"{endpoint}/_faults/{command}?{query}", method="POST" if command else "GET")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def states(emulator: Emulator, method: str, **settings: int) -> dict:
    """The emulator's asynchronous-state rehearsal (/_corp/states): POST sets it, GET reads its settings and the
    transitional answers given, DELETE switches it off."""
    query = urllib.parse.urlencode(settings)
    with urllib.request.urlopen(urllib.request.Request(f"{emulator.endpoint}/_corp/states?{query}", method=method), timeout=5) as response:
        return json.load(response)


def pytest_collection_modifyitems(items):
    """The longest tests first (marked slow(<seconds>)), so the xdist workers start them early and finish
    together rather than one worker running a long test alone at the end. `make integration` passes
    `--maxschedchunk 1`: xdist otherwise hands each worker a run of consecutive tests at the start (a quarter of
    its share), which would give one worker all the long ones."""

    def expected_seconds(item) -> int:
        marker = item.get_closest_marker("slow")
        return marker.args[0] if marker else 0

    items.sort(key=expected_seconds, reverse=True)
