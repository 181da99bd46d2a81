"""Make the collection importable as ansible_collections.corp.infra (through the link `make setup` creates)
and the emulator package as corp_emulator."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT / ".collections", ROOT / "scripts"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


import json  # noqa: E402
import warnings  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture
def parliament_findings():
    """parliament's findings for a policy document, as 'ISSUE: detail' lines."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # parliament imports pkg_resources, which warns about itself
        from parliament import analyze_policy_string

    def findings(policy: dict) -> list[str]:
        return [f"{f.issue}: {f.detail}" for f in analyze_policy_string(json.dumps(policy)).findings]

    return findings
