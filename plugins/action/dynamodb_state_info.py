# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for corp.infra.dynamodb_state_info: on a local connection, its read runs in the worker process (see plugin_utils/read_action.py)."""

from __future__ import annotations

from ansible_collections.corp.infra.plugins.modules import dynamodb_state_info
from ansible_collections.corp.infra.plugins.plugin_utils.read_action import ReadAction


class ActionModule(ReadAction):
    reader = dynamodb_state_info
