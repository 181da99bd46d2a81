"""scripts/emulator starts a moto server that answers, and stop ends exactly the process it started."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3

from .conftest import ROOT
from .conftest import emulator_command
from .conftest import free_port


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()


def test_start_status_stop_by_pid():
    port = free_port()
    started = emulator_command("start", port)
    try:
        assert started.returncode == 0, started.stderr
        assert started.stdout.strip() == f"http://127.0.0.1:{port}"
        pid = int((ROOT / ".run" / f"emulator-{port}.pid").read_text())
        assert _alive(pid)
        status = emulator_command("status", port)
        assert status.returncode == 0 and f"pid {pid}" in status.stdout
        # It is a real AWS endpoint: boto3 talks to it over HTTP, and the shims are in place.
        dynamodb = boto3.client(
            "dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        dynamodb.create_table(
            TableName="corp-dynamodb-launcher-local",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        assert dynamodb.describe_table(TableName="corp-dynamodb-launcher-local")["Table"]["TableId"]
        again = emulator_command("start", port)
        assert again.returncode == 0
        assert int((ROOT / ".run" / f"emulator-{port}.pid").read_text()) == pid
    finally:
        stopped = emulator_command("stop", port)
    assert stopped.returncode == 0 and f"stopped pid {pid}" in stopped.stdout
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)
    assert emulator_command("status", port).returncode == 3
    assert "not running" in emulator_command("stop", port).stdout


def test_start_refuses_a_port_served_by_another_process():
    port = free_port()
    other = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        result = emulator_command("start", port)
        assert result.returncode != 0
        # stop must not touch a process this launcher did not start.
        emulator_command("stop", port)
        assert other.poll() is None
    finally:
        other.terminate()
        other.wait(timeout=10)


def test_stop_ignores_a_stale_pidfile_naming_another_process():
    port = free_port()
    run_dir = ROOT / ".run"
    run_dir.mkdir(exist_ok=True)
    (run_dir / f"emulator-{port}.pid").write_text(f"{os.getpid()}\n")
    result = emulator_command("stop", port)
    assert result.returncode == 0 and "not running" in result.stdout
    assert not (run_dir / f"emulator-{port}.pid").exists()
