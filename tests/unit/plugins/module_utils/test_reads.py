"""The reads send their requests side by side (reads.concurrently), and the bucket read is a table of Get calls
(reads.BUCKET_READS) that every field the bucket settings compare must be in."""

import threading

import pytest

from ansible_collections.corp.infra.plugins.module_utils import reads
from ansible_collections.corp.infra.plugins.module_utils.s3_state import BUCKET_SETTINGS


def test_calls_run_side_by_side_and_answer_under_their_keys_in_order():
    # Three calls that each wait for the other two: one at a time, the first would wait forever (the barrier breaks).
    meeting = threading.Barrier(3, timeout=5)

    def call(answer):
        def wait():
            meeting.wait()
            return answer

        return wait

    found = reads.concurrently({"c": call(3), "a": call(1), "b": call(2)})
    assert list(found.items()) == [("c", 3), ("a", 1), ("b", 2)]


def test_the_error_of_a_call_is_the_reads_error():
    def refused():
        raise PermissionError("AccessDenied")

    with pytest.raises(PermissionError, match="AccessDenied"):
        reads.concurrently({"fine": lambda: 1, "refused": refused})


def test_every_field_a_bucket_setting_compares_is_read():
    # Versioning is read first, as the probe of whether the bucket exists; every other field is a BUCKET_READS row.
    compared = {row[-2] for row in BUCKET_SETTINGS.values()}
    assert compared - {"bucket_versioning"} <= set(reads.BUCKET_READS), compared - set(reads.BUCKET_READS)


class Bucket:
    """A bucket's answers, by Get call; what was asked is recorded."""

    def __init__(self):
        self.asked = []

    def __getattr__(self, operation):
        def answer(**params):
            self.asked.append(operation)
            if operation == "get_bucket_versioning":
                return {"Status": "Enabled", "ResponseMetadata": {}}
            if operation == "get_bucket_abac":
                return {"AbacStatus": {"Status": "Disabled"}}
            if operation == "get_bucket_notification_configuration":
                return {"EventBridgeConfiguration": {}}
            if operation == "get_bucket_lifecycle_configuration":
                return {"Rules": [{"ID": "expire"}]}
            return {}

        return answer


def test_a_bucket_read_has_exactly_the_fields_of_the_table(monkeypatch):
    # The amazon.aws helpers are held to their own tests; here each answers with its field's name.
    for field in list(reads.BUCKET_READS):
        if field in ("lifecycle_rules", "abac_status", "notifications"):
            continue
        monkeypatch.setitem(reads.BUCKET_READS, field, lambda s3, name, field=field: {"read": field})
    s3 = Bucket()
    found = reads.read_bucket(s3, "corp-s3-securedata-unit")
    assert set(found) == {"name", "exists", "bucket_versioning", "eventbridge", *reads.BUCKET_READS}
    assert found["bucket_versioning"] == {"Status": "Enabled"} and found["bucket_policy"] == {"read": "bucket_policy"}
    assert found["lifecycle_rules"] == [{"ID": "expire"}] and found["eventbridge"] is True
    assert s3.asked[0] == "get_bucket_versioning"
