# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the dynamodb role compares with: dynamodb_drift."""

from __future__ import annotations

from ansible_collections.corp.infra.plugins.module_utils.dynamodb import table_drift
from ansible_collections.corp.infra.plugins.plugin_utils.drift_filter import drift_filter
from ansible_collections.corp.infra.plugins.plugin_utils.drift_filter import every_part


class FilterModule:
    def filters(self):
        return {"dynamodb_drift": drift_filter("dynamodb_drift", table_drift, lambda found, desired: every_part(found, ["table"]))}
