"""Mermaid's own parser for the tests: the npm packages pinned in tests/mermaid/package-lock.json, installed into
.cache/mermaid by `make mermaid` (or by the first test that needs them, under a lock), run with node."""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CACHE = ROOT / ".cache" / "mermaid"


def _stamp() -> str:
    return hashlib.sha256(b"".join((HERE / name).read_bytes() for name in ("package.json", "package-lock.json", "parse.mjs"))).hexdigest()


def install() -> Path:
    """The folder with parse.mjs and its node_modules, installed with `npm ci` from the lock unless already there."""
    stamp = CACHE / ".installed"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.exists() or stamp.read_text() != _stamp():
            for name in ("package.json", "package-lock.json", "parse.mjs"):
                shutil.copyfile(HERE / name, CACHE / name)
            npm = shutil.which("npm")
            assert npm, "npm is needed to install Mermaid's parser (tests/mermaid)"
            command = [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
            # stdin of its own: node makes its stdin non-blocking, and a stdin shared with make's other gates would make
            # every ansible process beside it refuse to start ("Ansible requires blocking IO").
            result = subprocess.run(command, cwd=CACHE, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600, check=False)
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
            stamp.write_text(_stamp())
    return CACHE


def parse(diagram: str) -> dict:
    """What Mermaid's parser finds in ``diagram`` (vertices, edges, subgraphs); AssertionError with its message when
    it does not parse."""
    folder = install()
    node = shutil.which("node")
    assert node, "node is needed to run Mermaid's parser (tests/mermaid)"
    result = subprocess.run([node, "parse.mjs"], cwd=folder, input=diagram, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"the diagram does not parse: {result.stderr.strip()}\n{diagram}"
    return json.loads(result.stdout)


def diagram_of(markdown: str) -> str:
    """The one ```mermaid block of a Markdown page."""
    (block,) = re.findall(r"^```mermaid\n(.*?)^```$", markdown, flags=re.M | re.S)
    return block
