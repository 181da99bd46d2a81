# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the backup role compares with: backup_drift."""

from __future__ import annotations

from ansible_collections.corp.infra.plugins.module_utils.backup import backup_drift
from ansible_collections.corp.infra.plugins.plugin_utils.drift_filter import drift_filter


class FilterModule:
    def filters(self):
        return {"backup_drift": drift_filter("backup_drift", backup_drift)}
