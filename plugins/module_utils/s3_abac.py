# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""S3 bucket ABAC logic for corp.infra.s3_bucket_abac: what to change, and in which order.

Plain values in, plain values out (unit tested without AWS). Two AWS rules shape it
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/buckets-tagging-enable-abac.html):

- once ABAC is on, PutBucketTagging and DeleteBucketTagging no longer work: tags go through the S3 Control
  TagResource / UntagResource APIs, which also work before ABAC is on (AWS recommends switching first);
- with ABAC on, ``aws:ResourceTag`` conditions on the bucket are evaluated, so a tag change is an access
  change. Tags are therefore written before ABAC is switched on, so the first request evaluated under ABAC
  already sees the intended tags.
"""

from __future__ import annotations

from typing import Any

ENABLED = "Enabled"
DISABLED = "Disabled"


def status_of(response: dict[str, Any] | None) -> str:
    """The ABAC status in a GetBucketAbac response; a bucket that never had one set is Disabled (the default)."""
    status = ((response or {}).get("AbacStatus") or {}).get("Status")
    return ENABLED if status == ENABLED else DISABLED


def tag_changes(current: dict[str, str], wanted: dict[str, str] | None, purge: bool) -> tuple[dict[str, str], list[str]]:
    """(tags to set, tag keys to remove). ``wanted`` None leaves the tags alone; ``aws:`` tags are never removed."""
    if wanted is None:
        return {}, []
    wanted = {str(k): str(v) for k, v in wanted.items()}
    to_set = {k: v for k, v in wanted.items() if current.get(k) != v}
    to_unset = sorted(k for k in current if purge and k not in wanted and not k.startswith("aws:"))
    return to_set, to_unset


def plan(current_status: str, current_tags: dict[str, str], abac: bool, tags: dict[str, str] | None, purge_tags: bool) -> dict[str, Any]:
    """The calls to make, in order, and the before/after a diff shows.

    ``steps`` is a list of ("tag", {...}), ("untag", [...]) and ("abac", "Enabled"|"Disabled"), tags first.
    """
    to_set, to_unset = tag_changes(current_tags, tags, purge_tags)
    wanted_status = ENABLED if abac else DISABLED
    steps: list[tuple[str, Any]] = []
    if to_set:
        steps.append(("tag", to_set))
    if to_unset:
        steps.append(("untag", to_unset))
    if wanted_status != current_status:
        steps.append(("abac", wanted_status))
    after_tags = {k: v for k, v in current_tags.items() if k not in to_unset} | to_set
    return {
        "steps": steps,
        "before": {"abac_status": current_status, "tags": dict(sorted(current_tags.items()))},
        "after": {"abac_status": wanted_status, "tags": dict(sorted(after_tags.items()))},
    }
