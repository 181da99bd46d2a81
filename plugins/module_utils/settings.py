# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way corp.infra's settings tables are read (s3_state, iam_state, rds).

A table maps the key of a role's desired dict to a row whose last two items are the field of the state reader's
result the setting is read from (None: the whole read) and the comparison. ``compare(live value, wanted)`` gets the
whole desired dict (a row may need another key, as the encryption row needs the key ARN) and answers what differs:
a list of lines, one line, True (the row's key is the reason), or nothing.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict


def text_tags(tags: dict[str, Any] | None) -> dict[str, str]:
    """Tags as AWS returns them: every key and value a string (the modules send them so)."""
    return {str(key): str(value) for key, value in (tags or {}).items()}


def tags_differ(live: list[dict[str, str]] | dict[str, str] | None, wanted: dict[str, Any] | None) -> bool:
    """Whether live tags (a dict, or a boto3 Key/Value list) are other than ``wanted``: the modules purge tags."""
    found = boto3_tag_list_to_ansible_dict(live) if isinstance(live, list) else (live or {})
    return found != text_tags(wanted)


def tags_row_differs(live: list[dict[str, str]] | dict[str, str] | None, wanted: dict[str, Any]) -> bool:
    """The comparison of every table's ``tags`` row: the live tags against the desired dict's ``tags``."""
    return tags_differ(live, wanted.get("tags"))


def row_reasons(settings: dict[str, tuple[Any, ...]], live: dict[str, Any], wanted: dict[str, Any], absent: Any = None) -> list[str]:
    """What differs, row by row, for the rows ``wanted`` gives (not None, not empty); a field the read lacks is ``absent``."""
    reasons: list[str] = []
    for key, row in settings.items():
        field, compare = row[-2], row[-1]
        if wanted.get(key) in (None, ""):
            continue
        value = live if field is None else live.get(field)
        found = compare(absent if value is None else value, wanted)
        if found is True:
            reasons.append(key)
        elif isinstance(found, str):
            reasons.append(found)
        elif found:
            reasons.extend(found)
    return reasons
