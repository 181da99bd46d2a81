"""Unit-test helpers: parliament's findings for a policy document."""

import json
import warnings

import pytest


@pytest.fixture
def parliament_findings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # parliament imports pkg_resources, which warns about itself
        from parliament import analyze_policy_string

    def findings(policy: dict) -> list[str]:
        return [f"{f.issue}: {f.detail}" for f in analyze_policy_string(json.dumps(policy)).findings]

    return findings
