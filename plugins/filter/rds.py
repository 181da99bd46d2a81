# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the rds role compares with: rds_drift."""

from __future__ import annotations

from ansible_collections.corp.infra.plugins.module_utils.rds import rds_drift
from ansible_collections.corp.infra.plugins.plugin_utils.drift_filter import drift_filter


class FilterModule:
    def filters(self):
        return {"rds_drift": drift_filter("rds_drift", rds_drift)}
