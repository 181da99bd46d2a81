# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the deleting tasks are guarded by: destroy_refusal, destroy_state."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.corp.infra.plugins.module_utils.preflight import destroy_refusal as build_destroy_refusal


def destroy_refusal(environment, confirmation=""):
    return build_destroy_refusal(environment, confirmation) or ""


def destroy_state(environment, confirmation=""):
    refusal = build_destroy_refusal(environment, confirmation)
    if refusal:
        raise AnsibleFilterError(refusal)
    return "absent"


class FilterModule:
    def filters(self):
        return {"destroy_refusal": destroy_refusal, "destroy_state": destroy_state}
