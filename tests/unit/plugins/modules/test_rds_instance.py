"""corp.infra.rds_instance against a stubbed RDS client: the calls it makes, and those it never makes."""

import boto3
import pytest
from botocore.stub import ANY
from botocore.stub import Stubber

from ansible_collections.corp.infra.plugins.modules import rds_instance

IDENTIFIER = "corp-rds-main-prod"
NOT_FOUND = {"service_error_code": "DBInstanceNotFound", "http_status_code": 404}


class Failed(Exception):
    pass


class FakeModule:
    """The AnsibleAWSModule surface the module's functions use."""

    def __init__(self, check_mode=False, **params):
        defaults = dict(
            db_instance_identifier=IDENTIFIER,
            state="present",
            apply_immediately=False,
            reboot_for_pending_parameters=False,
            final_snapshot_identifier=None,
            skip_final_snapshot=False,
            disable_deletion_protection=False,
            wait=False,
            wait_timeout=60,
            tags=None,
            purge_tags=True,
        )
        self.params = {option: None for option in rds_instance.SETTINGS} | defaults | params
        self.check_mode = check_mode

    def fail_json(self, msg, **kwargs):
        raise Failed(msg)


@pytest.fixture
def rds():
    client = boto3.client("rds", region_name="ap-south-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _retrying(client):
    """The module calls aws_retry=True (AWSRetry's keyword); the stub client takes it away."""
    for name in ("describe_db_instances", "create_db_instance", "modify_db_instance", "delete_db_instance", "describe_db_snapshots"):
        method = getattr(client, name)
        setattr(client, name, lambda *a, _m=method, aws_retry=None, **kw: _m(*a, **kw))
    return client


def _instance(**overrides):
    entry = {
        "DBInstanceIdentifier": IDENTIFIER,
        "DBInstanceStatus": "available",
        "DBInstanceArn": f"arn:aws:rds:ap-south-1:123456789012:db:{IDENTIFIER}",
        "Engine": "postgres",
        "EngineVersion": "17.6",
        "DBInstanceClass": "db.t4g.medium",
        "MasterUsername": "corpadmin",
        "MultiAZ": True,
        "DeletionProtection": True,
        "Endpoint": {"Address": "db.example", "Port": 5432},
        "MasterUserSecret": {"SecretArn": "arn:aws:secretsmanager:ap-south-1:123456789012:secret:rds!db-1"},
    }
    return entry | overrides


def test_create_sends_manage_master_user_password_and_returns_only_the_secret_arn(rds):
    client, stubber = rds
    stubber.add_client_error("describe_db_instances", **NOT_FOUND)
    expected = {
        "DBInstanceIdentifier": IDENTIFIER,
        "ManageMasterUserPassword": True,
        "Engine": "postgres",
        "EngineVersion": "17.6",
        "DBInstanceClass": "db.t4g.medium",
        "AllocatedStorage": 20,
        "MasterUsername": "corpadmin",
        "MultiAZ": True,
    }
    stubber.add_response("create_db_instance", {"DBInstance": _instance()}, expected)
    stubber.add_response("describe_db_instances", {"DBInstances": [_instance()]}, {"DBInstanceIdentifier": IDENTIFIER})
    module = FakeModule(
        engine="postgres", engine_version="17.6", db_instance_class="db.t4g.medium", allocated_storage=20, master_username="corpadmin", multi_az=True
    )
    result = rds_instance.ensure_present(module, _retrying(client))
    assert result["changed"] and result["master_user_secret_arn"].startswith("arn:aws:secretsmanager:")
    assert "password" not in repr({k: v for k, v in result.items() if k != "master_user_secret_arn"}).lower()


def test_check_mode_creates_nothing(rds):
    client, stubber = rds
    stubber.add_client_error("describe_db_instances", **NOT_FOUND)
    module = FakeModule(
        check_mode=True, engine="postgres", engine_version="17.6", db_instance_class="db.t4g.medium", allocated_storage=20, master_username="corpadmin"
    )
    result = rds_instance.ensure_present(module, _retrying(client))
    assert result["changed"] and result["diff"]["before"] == {} and result["diff"]["after"]["engine_version"] == "17.6"


def test_a_difference_is_modified_with_the_chosen_apply_timing(rds):
    client, stubber = rds
    stubber.add_response("describe_db_instances", {"DBInstances": [_instance(MultiAZ=False)]}, {"DBInstanceIdentifier": IDENTIFIER})
    stubber.add_response("modify_db_instance", {"DBInstance": _instance()}, {"DBInstanceIdentifier": IDENTIFIER, "ApplyImmediately": True, "MultiAZ": True})
    result = rds_instance.ensure_present(FakeModule(multi_az=True, apply_immediately=True), _retrying(client))
    assert result["changed"] and result["diff"] == {"before": {"multi_az": False}, "after": {"multi_az": True}}


def test_an_instance_in_sync_is_not_modified(rds):
    client, stubber = rds
    stubber.add_response("describe_db_instances", {"DBInstances": [_instance()]}, {"DBInstanceIdentifier": IDENTIFIER})
    assert rds_instance.ensure_present(FakeModule(multi_az=True, engine_version="17.4"), _retrying(client))["changed"] is False


def test_absent_refuses_a_protected_instance_without_the_opt_in_and_deletes_nothing(rds):
    client, stubber = rds
    stubber.add_response("describe_db_instances", {"DBInstances": [_instance()]}, {"DBInstanceIdentifier": IDENTIFIER})
    stubber.add_client_error("describe_db_snapshots", service_error_code="DBSnapshotNotFound", http_status_code=404)
    with pytest.raises(Failed, match="has deletion protection on"):
        rds_instance.ensure_absent(FakeModule(state="absent", final_snapshot_identifier=f"{IDENTIFIER}-final"), _retrying(client))


def test_absent_stops_when_the_final_snapshot_name_is_taken(rds):
    client, stubber = rds
    stubber.add_response("describe_db_instances", {"DBInstances": [_instance()]}, {"DBInstanceIdentifier": IDENTIFIER})
    stubber.add_response("describe_db_snapshots", {"DBSnapshots": [{"DBSnapshotIdentifier": f"{IDENTIFIER}-final"}]}, {"DBSnapshotIdentifier": ANY})
    module = FakeModule(state="absent", final_snapshot_identifier=f"{IDENTIFIER}-final", disable_deletion_protection=True)
    with pytest.raises(Failed, match="final snapshot corp-rds-main-prod-final already exists"):
        rds_instance.ensure_absent(module, _retrying(client))


def test_absent_turns_protection_off_then_deletes_with_the_final_snapshot(rds):
    client, stubber = rds
    stubber.add_response("describe_db_instances", {"DBInstances": [_instance()]}, {"DBInstanceIdentifier": IDENTIFIER})
    stubber.add_client_error("describe_db_snapshots", service_error_code="DBSnapshotNotFound", http_status_code=404)
    stubber.add_response(
        "modify_db_instance", {"DBInstance": _instance()}, {"DBInstanceIdentifier": IDENTIFIER, "DeletionProtection": False, "ApplyImmediately": True}
    )
    stubber.add_response(
        "delete_db_instance",
        {"DBInstance": _instance(DBInstanceStatus="deleting")},
        {"DBInstanceIdentifier": IDENTIFIER, "DeleteAutomatedBackups": False, "FinalDBSnapshotIdentifier": f"{IDENTIFIER}-final"},
    )
    module = FakeModule(state="absent", final_snapshot_identifier=f"{IDENTIFIER}-final", disable_deletion_protection=True)
    result = rds_instance.ensure_absent(module, _retrying(client))
    assert result["changed"] and result["final_snapshot_identifier"] == f"{IDENTIFIER}-final"


def test_a_wait_that_times_out_names_the_instance_the_state_and_the_option():
    class Waiter:
        def wait(self, **kwargs):
            from botocore.exceptions import WaiterError

            raise WaiterError(name="DBInstanceAvailable", reason="Max attempts exceeded", last_response={"Error": "still creating"})

    class Client:
        def get_waiter(self, name):
            return Waiter()

    with pytest.raises(Failed, match=r"DB instance corp-rds-main-prod was not available after 60 s \(wait_timeout\)"):
        rds_instance.wait_for(FakeModule(), Client(), "db_instance_available", IDENTIFIER)
