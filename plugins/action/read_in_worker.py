# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin of every corp.infra read-only module (meta/runtime.yml's ``action_plugin`` routing): on a
local connection, the module's read runs in the worker process (see plugin_utils/read_action.py)."""

from __future__ import annotations

from ansible_collections.corp.infra.plugins.plugin_utils.read_action import ReadAction


class ActionModule(ReadAction):
    pass
