# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests on the controller's files: file_holds."""

from __future__ import annotations

import os
import stat

from ansible.module_utils.common.text.converters import to_bytes


def file_holds(path, content, mode=None):
    """Whether the controller's file ``path`` holds exactly ``content`` (and has ``mode``, an octal string)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or (mode is not None and stat.S_IMODE(info.st_mode) != int(str(mode), 8)):
            return False
        with open(path, "rb") as handle:
            return handle.read() == to_bytes(content, errors="surrogate_or_strict")
    except OSError:
        return False


class TestModule:
    def tests(self):
        return {"file_holds": file_holds}
