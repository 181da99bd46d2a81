# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the iam role compares with: iam_drift."""

from __future__ import annotations

from ansible_collections.corp.infra.plugins.module_utils.iam_state import iam_drift
from ansible_collections.corp.infra.plugins.plugin_utils.drift_filter import drift_filter


class FilterModule:
    def filters(self):
        return {"iam_drift": drift_filter("iam_drift", iam_drift)}
