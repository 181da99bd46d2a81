# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A task's diff between two documents, in the shape amazon.aws modules return theirs (``diff: {before, after}``).

ansible-core's callbacks render such a diff themselves (each side as JSON, sorted keys, four-space indent, then a
unified diff), so showing a document's change needs no module process and no collection beyond ansible-core.
"""

from __future__ import annotations

from typing import Any

ARGUMENT_SPEC: dict[str, Any] = {
    "argument_spec": {
        "before": {"type": "raw", "required": True},
        "after": {"type": "raw", "required": True},
        "name": {"type": "str"},
    },
}


def document_diff(params: dict[str, Any]) -> dict[str, Any]:
    """The task result: changed when the documents differ, with the diff either way (shown only in diff mode)."""
    before, after = params["before"], params["after"]
    diff: dict[str, Any] = {"before": before, "after": after}
    if params.get("name"):
        diff |= {"before_header": params["name"], "after_header": params["name"]}
    return {"changed": before != after, "diff": diff}
