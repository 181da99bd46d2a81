"""What corp.infra.s3_bucket_abac changes, and in which order."""

from ansible_collections.corp.infra.plugins.module_utils.s3_abac import plan
from ansible_collections.corp.infra.plugins.module_utils.s3_abac import status_of
from ansible_collections.corp.infra.plugins.module_utils.s3_abac import tag_changes


def test_a_bucket_without_an_abac_status_is_disabled():
    assert status_of({}) == "Disabled"
    assert status_of({"AbacStatus": {}}) == "Disabled"
    assert status_of({"AbacStatus": {"Status": "Enabled"}}) == "Enabled"


def test_tags_are_written_before_abac_is_turned_on():
    changes = plan("Disabled", {"Owner": "x"}, True, {"Environment": "prod"}, True)
    assert changes["steps"] == [("tag", {"Environment": "prod"}), ("untag", ["Owner"]), ("abac", "Enabled")]
    assert changes["before"] == {"abac_status": "Disabled", "tags": {"Owner": "x"}}
    assert changes["after"] == {"abac_status": "Enabled", "tags": {"Environment": "prod"}}


def test_nothing_to_do_when_status_and_tags_match():
    assert plan("Enabled", {"Environment": "prod"}, True, {"Environment": "prod"}, True)["steps"] == []


def test_turning_abac_off_keeps_the_tags():
    changes = plan("Enabled", {"Environment": "prod"}, False, None, True)
    assert changes["steps"] == [("abac", "Disabled")]
    assert changes["after"]["tags"] == {"Environment": "prod"}


def test_without_purge_extra_tags_stay():
    assert tag_changes({"Owner": "x", "Environment": "dev"}, {"Environment": "prod"}, False) == ({"Environment": "prod"}, [])


def test_aws_reserved_tags_are_never_removed_and_values_compare_as_strings():
    to_set, to_unset = tag_changes({"aws:cloudformation:stack-name": "s", "Tier": "1"}, {"Tier": 1}, True)
    assert (to_set, to_unset) == ({}, [])
