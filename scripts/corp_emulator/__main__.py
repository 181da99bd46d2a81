"""``scripts/emulator start|stop|status [--port N]``: run the moto server in the background, by pid."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN_DIR = Path(os.environ.get("CORP_EMULATOR_RUN_DIR", ROOT / ".run"))
START_TIMEOUT = 60.0


def _pidfile(port: int) -> Path:
    return RUN_DIR / f"emulator-{port}.pid"


def endpoint(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint(port)}/_corp/health", timeout=2) as response:
            return json.load(response).get("status") == "ok"
    except (OSError, ValueError, urllib.error.URLError):
        return False


def _our_pid(port: int) -> int | None:
    """The pid in the pidfile, if that process is still the server we started (not a reused pid)."""
    try:
        pid = int(_pidfile(port).read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    if b"corp_emulator.server" in cmdline and str(port).encode() in cmdline:
        return pid
    return None


def start(port: int) -> int:
    if _our_pid(port):
        if _answers(port):
            print(endpoint(port))
            return 0
    elif _answers(port):
        print(f"emulator: port {port} is already served by a process this launcher did not start", file=sys.stderr)
        return 1
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    log = (RUN_DIR / f"emulator-{port}.log").open("ab")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "scripts"), os.environ.get("PYTHONPATH")])))
    process = subprocess.Popen(
        [sys.executable, "-m", "corp_emulator.server", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    _pidfile(port).write_text(f"{process.pid}\n")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            print(f"emulator: server exited with {process.returncode}; see {log.name}", file=sys.stderr)
            _pidfile(port).unlink(missing_ok=True)
            return 1
        if _answers(port):
            print(endpoint(port))
            return 0
        time.sleep(0.2)
    process.terminate()
    _pidfile(port).unlink(missing_ok=True)
    print(f"emulator: no answer on {endpoint(port)} after {START_TIMEOUT:.0f}s; see {log.name}", file=sys.stderr)
    return 1


def stop(port: int) -> int:
    pid = _our_pid(port)
    if pid is None:
        _pidfile(port).unlink(missing_ok=True)
        print(f"emulator: not running on port {port}")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    if Path(f"/proc/{pid}").exists():
        os.kill(pid, signal.SIGKILL)
    _pidfile(port).unlink(missing_ok=True)
    print(f"emulator: stopped pid {pid} on port {port}")
    return 0


def status(port: int) -> int:
    pid = _our_pid(port)
    if pid and _answers(port):
        print(f"emulator: running, pid {pid}, {endpoint(port)}")
        return 0
    print(f"emulator: not running on port {port}")
    return 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/emulator", description=__doc__)
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("CORP_EMULATOR_PORT", "5000")))
    args = parser.parse_args(argv)
    return {"start": start, "stop": stop, "status": status}[args.command](args.port)


if __name__ == "__main__":
    sys.exit(main())
