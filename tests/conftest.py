"""Make the collection importable as ansible_collections.corp.infra (through the link `make setup` creates)
and the emulator package as corp_emulator."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT / ".collections", ROOT / "scripts"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
