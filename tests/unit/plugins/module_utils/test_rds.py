"""RDS create/modify/parameter logic: what corp.infra.rds_instance and rds_parameter_group send to RDS."""

import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.corp.infra.plugins.module_utils.rds import PARAMETER_GROUP_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.rds import SUBNET_GROUP_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.rds import RdsError
from ansible_collections.corp.infra.plugins.module_utils.rds import create_request
from ansible_collections.corp.infra.plugins.module_utils.rds import current_settings
from ansible_collections.corp.infra.plugins.module_utils.rds import modify_request
from ansible_collections.corp.infra.plugins.module_utils.rds import parameter_changes
from ansible_collections.corp.infra.plugins.module_utils.rds import rds_drift

ROLE = Path(__file__).resolve().parents[4] / "roles" / "rds"

WANTED = {
    "db_instance_identifier": "corp-rds-main-prod",
    "engine": "postgres",
    "engine_version": "17.6",
    "db_instance_class": "db.m7g.large",
    "master_username": "corpadmin",
    "allocated_storage": 100,
    "max_allocated_storage": 500,
    "storage_type": "gp3",
    "storage_encrypted": True,
    "multi_az": True,
    "publicly_accessible": False,
    "db_subnet_group_name": "corp-rds-main-prod",
    "vpc_security_group_ids": ["sg-b", "sg-a"],
    "db_parameter_group_name": "corp-rds-main-prod",
    "monitoring_interval": 60,
    "monitoring_role_arn": "arn:aws:iam::123456789012:role/corp-iam-rdsmonitoring-prod",
    "enable_performance_insights": True,
    "performance_insights_retention_period": 7,
    "enable_cloudwatch_logs_exports": ["upgrade", "postgresql"],
    "deletion_protection": True,
    "backup_retention_period": 14,
    "copy_tags_to_snapshot": True,
    "auto_minor_version_upgrade": True,
    "enable_iam_database_authentication": True,
    "port": 5432,
}


def described(**overrides):
    """A DescribeDBInstances entry in sync with WANTED."""
    entry = {
        "DBInstanceIdentifier": "corp-rds-main-prod",
        "DBInstanceStatus": "available",
        "Engine": "postgres",
        "EngineVersion": "17.6",
        "DBInstanceClass": "db.m7g.large",
        "MasterUsername": "corpadmin",
        "AllocatedStorage": 100,
        "MaxAllocatedStorage": 500,
        "StorageType": "gp3",
        "Iops": 3000,
        "StorageThroughput": 125,
        "StorageEncrypted": True,
        "KmsKeyId": "arn:aws:kms:ap-south-1:123456789012:key/1111",
        "MultiAZ": True,
        "PubliclyAccessible": False,
        "DBSubnetGroup": {"DBSubnetGroupName": "corp-rds-main-prod"},
        "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-a"}, {"VpcSecurityGroupId": "sg-b"}],
        "DBParameterGroups": [{"DBParameterGroupName": "corp-rds-main-prod", "ParameterApplyStatus": "in-sync"}],
        "Endpoint": {"Address": "corp-rds-main-prod.x.ap-south-1.rds.amazonaws.com", "Port": 5432},
        "MonitoringInterval": 60,
        "MonitoringRoleArn": "arn:aws:iam::123456789012:role/corp-iam-rdsmonitoring-prod",
        "PerformanceInsightsEnabled": True,
        "PerformanceInsightsRetentionPeriod": 7,
        "PerformanceInsightsKMSKeyId": "arn:aws:kms:ap-south-1:123456789012:key/2222",
        "EnabledCloudwatchLogsExports": ["postgresql", "upgrade"],
        "DeletionProtection": True,
        "BackupRetentionPeriod": 14,
        "CopyTagsToSnapshot": True,
        "AutoMinorVersionUpgrade": True,
        "IAMDatabaseAuthenticationEnabled": True,
        "MasterUserSecret": {"SecretArn": "arn:aws:secretsmanager:ap-south-1:123456789012:secret:rds!db-1", "SecretStatus": "active"},
    }
    entry.update(overrides)
    return entry


def test_create_asks_rds_to_manage_the_password_and_sends_none():
    request = create_request(WANTED, [{"Key": "Environment", "Value": "prod"}])
    assert request["ManageMasterUserPassword"] is True
    assert not [key for key in request if "Password" in key and key != "ManageMasterUserPassword"]
    assert request["Port"] == 5432 and "DBPortNumber" not in request
    assert request["VpcSecurityGroupIds"] == ["sg-a", "sg-b"]
    assert request["EnableCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    assert request["Tags"] == [{"Key": "Environment", "Value": "prod"}]


def test_create_names_what_is_missing():
    with pytest.raises(RdsError, match="db_instance_class, allocated_storage required to create"):
        create_request({**WANTED, "db_instance_class": None, "allocated_storage": None}, [])


def test_an_instance_in_sync_needs_no_modification():
    assert modify_request(WANTED, described()) == ({}, {}, {})


def test_changes_are_modified_in_place_and_reported():
    request, before, after = modify_request(WANTED, described(DBInstanceClass="db.t4g.micro", MultiAZ=False, BackupRetentionPeriod=7))
    assert request == {"DBInstanceClass": "db.m7g.large", "MultiAZ": True, "BackupRetentionPeriod": 14}
    assert before == {"db_instance_class": "db.t4g.micro", "multi_az": False, "backup_retention_period": 7}
    assert after == {"db_instance_class": "db.m7g.large", "multi_az": True, "backup_retention_period": 14}


def test_a_change_pending_for_the_maintenance_window_counts_as_made():
    pending = described(DBInstanceClass="db.t4g.micro", PendingModifiedValues={"DBInstanceClass": "db.m7g.large"})
    assert modify_request(WANTED, pending)[0] == {}
    assert current_settings(pending)["db_instance_class"] == "db.m7g.large"


def test_log_exports_are_enabled_and_disabled_by_difference():
    request = modify_request(WANTED, described(EnabledCloudwatchLogsExports=["postgresql", "iam-db-auth-error"]))[0]
    assert request == {"CloudwatchLogsExportConfiguration": {"EnableLogTypes": ["upgrade"], "DisableLogTypes": ["iam-db-auth-error"]}}


def test_engine_versions_never_downgrade_and_majors_are_allowed_explicitly():
    assert modify_request(WANTED, described(EngineVersion="17.7"))[0] == {}  # automatic minor upgrade ran ahead
    assert modify_request(WANTED, described(EngineVersion="17.4"))[0] == {"EngineVersion": "17.6"}
    assert modify_request(WANTED, described(EngineVersion="16.10"))[0] == {"EngineVersion": "17.6", "AllowMajorVersionUpgrade": True}


def test_storage_grown_by_autoscaling_is_not_shrunk():
    assert modify_request(WANTED, described(AllocatedStorage=180))[0] == {}


def test_settings_fixed_at_creation_are_errors_not_replacements():
    with pytest.raises(RdsError, match=r"master_username is 'admin' .* RDS cannot change it in place"):
        modify_request(WANTED, described(MasterUsername="admin"))
    with pytest.raises(RdsError, match="storage_encrypted is False"):
        modify_request(WANTED, described(StorageEncrypted=False))


def test_an_instance_with_a_password_is_switched_to_a_managed_one():
    request, before, after = modify_request(WANTED, described(MasterUserSecret=None))
    assert request == {"ManageMasterUserPassword": True}
    assert (before, after) == ({"manage_master_user_password": False}, {"manage_master_user_password": True})


def test_unset_options_are_not_managed():
    assert modify_request({"db_instance_identifier": "corp-rds-main-prod"}, described(MultiAZ=False, DeletionProtection=False))[0] == {}


PARAMETERS = {
    "rds.force_ssl": {"ParameterName": "rds.force_ssl", "ParameterValue": "0", "ApplyType": "dynamic", "DataType": "boolean", "IsModifiable": True},
    "log_connections": {"ParameterName": "log_connections", "ApplyType": "dynamic", "DataType": "boolean", "IsModifiable": True},
    "shared_preload_libraries": {
        "ParameterName": "shared_preload_libraries",
        "ParameterValue": "pg_stat_statements",
        "ApplyType": "static",
        "DataType": "list",
        "IsModifiable": True,
    },
    "rds.extensions": {"ParameterName": "rds.extensions", "ParameterValue": "a", "ApplyType": "static", "DataType": "list", "IsModifiable": False},
}


def test_each_parameter_gets_the_apply_method_its_type_allows():
    changes, before, after = parameter_changes(
        {"rds.force_ssl": True, "log_connections": 1, "shared_preload_libraries": ["pg_stat_statements", "auto_explain"]}, PARAMETERS
    )
    assert changes == [
        {"ParameterName": "log_connections", "ParameterValue": "1", "ApplyMethod": "immediate"},
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"},
        {"ParameterName": "shared_preload_libraries", "ParameterValue": "pg_stat_statements,auto_explain", "ApplyMethod": "pending-reboot"},
    ]
    assert before["rds.force_ssl"] == "0" and after["rds.force_ssl"] == "1"


def test_parameters_already_set_are_left_alone():
    assert parameter_changes({"rds.force_ssl": "0", "shared_preload_libraries": ["pg_stat_statements"]}, PARAMETERS)[0] == []


def test_unknown_unmodifiable_and_malformed_parameters_fail():
    with pytest.raises(RdsError, match=re.escape("parameter rds.forcessl does not exist")):
        parameter_changes({"rds.forcessl": 1}, PARAMETERS)
    with pytest.raises(RdsError, match=re.escape("parameter rds.extensions cannot be modified")):
        parameter_changes({"rds.extensions": "b"}, PARAMETERS)
    with pytest.raises(RdsError, match=re.escape("rds.force_ssl is boolean")):
        parameter_changes({"rds.force_ssl": "maybe"}, PARAMETERS)


def test_a_lower_major_version_is_refused():
    with pytest.raises(RdsError, match=re.escape("engine_version 17.6 is a lower major version than 18.1")):
        modify_request(WANTED, described(EngineVersion="18.1"))


def test_the_key_of_a_managed_master_secret_cannot_change():
    with pytest.raises(RdsError, match="cannot change the key of a master secret it already manages"):
        modify_request({**WANTED, "master_user_secret_kms_key_id": "arn:aws:kms:ap-south-1:123456789012:key/3333"}, described())


def test_an_instance_still_being_created_has_no_port_to_compare():
    creating = described(DBInstanceStatus="creating", Endpoint=None, DbInstancePort=0)
    assert modify_request(WANTED, creating)[0] == {}


# --- rds_drift: whether the rds role calls each module at all ---------------------------------------------------------

TAGS = {"Environment": "prod", "ManagedBy": "corp.infra"}
SUBNET_GROUP = {
    "DBSubnetGroupName": "corp-rds-main-prod",
    "DBSubnetGroupDescription": "corp main database, prod",
    "Subnets": [{"SubnetIdentifier": "subnet-b"}, {"SubnetIdentifier": "subnet-a"}],
    "Tags": TAGS,
}
PARAMETER_GROUP = {
    "DBParameterGroupName": "corp-rds-main-prod",
    "DBParameterGroupFamily": "postgres17",
    "Parameters": {
        "rds.force_ssl": {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "DataType": "boolean", "ApplyType": "dynamic"},
        "shared_preload_libraries": {"ParameterName": "shared_preload_libraries", "ParameterValue": "pg_stat_statements", "ApplyType": "static"},
    },
    "Tags": TAGS,
}
DESIRED = {
    "subnet_group": {"name": "corp-rds-main-prod", "description": "corp main database, prod", "subnets": ["subnet-a", "subnet-b"], "tags": TAGS},
    "parameter_group": {
        "name": "corp-rds-main-prod",
        "family": "postgres17",
        "parameters": {"rds.force_ssl": 1, "shared_preload_libraries": ["pg_stat_statements"]},
        "tags": TAGS,
    },
    "instance": {**WANTED, "tags": TAGS, "reboot_for_pending_parameters": False},
}


def converged(**instance):
    return {
        "subnet_group": dict(SUBNET_GROUP),
        "parameter_group": dict(PARAMETER_GROUP),
        "instance": described(**{"TagList": [{"Key": k, "Value": v} for k, v in TAGS.items()], **instance}),
    }


def test_a_converged_database_is_in_sync():
    assert rds_drift(converged(), DESIRED) == {}


def test_nothing_there_differs_everywhere():
    assert rds_drift({}, DESIRED) == {"subnet_group": "missing", "parameter_group": "missing", "instance": "missing"}


# One case per SUBNET_GROUP_SETTINGS and PARAMETER_GROUP_SETTINGS row at least: (part, row, the live change, reason).
GROUP_OUT_OF_BAND = [
    ("subnet_group", "description", {"DBSubnetGroupDescription": "edited"}, "description"),
    ("subnet_group", "subnets", {"Subnets": [{"SubnetIdentifier": "subnet-a"}]}, "subnets"),
    ("subnet_group", "tags", {"Tags": {"Environment": "prod"}}, "tags"),
    ("parameter_group", "family", {"DBParameterGroupFamily": "postgres16"}, "family"),
    (
        "parameter_group",
        "parameters",
        {"Parameters": {**PARAMETER_GROUP["Parameters"], "rds.force_ssl": {**PARAMETER_GROUP["Parameters"]["rds.force_ssl"], "ParameterValue": "0"}}},
        "parameters rds.force_ssl",
    ),
    ("parameter_group", "tags", {"Tags": {**TAGS, "Owner": "x"}}, "tags"),
]
GROUP_TABLES = {"subnet_group": SUBNET_GROUP_SETTINGS, "parameter_group": PARAMETER_GROUP_SETTINGS}


@pytest.mark.parametrize(("part", "row", "change", "reason"), GROUP_OUT_OF_BAND, ids=[f"{case[0]} {case[1]}" for case in GROUP_OUT_OF_BAND])
def test_a_changed_group_setting_is_noticed_by_its_row_only(part, row, change, reason):
    state = converged()
    state[part] = {**state[part], **change}
    assert set(change) == {GROUP_TABLES[part][row][0]}
    assert rds_drift(state, DESIRED) == {part: reason}
    assert rds_drift(state, {part: {k: v for k, v in DESIRED[part].items() if k != row}}) == {}


def test_every_group_row_has_a_case_and_the_roles_tasks_pass_each_from_the_desired_dict():
    assert {case[:2] for case in GROUP_OUT_OF_BAND} == {(part, row) for part, table in GROUP_TABLES.items() for row in table}
    tasks = yaml.safe_load((ROLE / "tasks" / "converge.yml").read_text())
    for part, module in (("subnet_group", "amazon.aws.rds_subnet_group"), ("parameter_group", "corp.infra.rds_parameter_group")):
        (options,) = [task[module] for task in tasks if module in task]
        # The group is found by its name; the description of a parameter group is fixed when RDS creates it.
        compared = set(options) - {"name", "state"} - ({"description"} if part == "parameter_group" else set())
        assert compared == set(GROUP_TABLES[part]), (part, compared)
        assert all(f"__rds_wanted.{row}" in str(options[row]) for row in GROUP_TABLES[part])


def test_a_parameter_changed_out_of_band_differs_by_name():
    state = converged()
    state["parameter_group"]["Parameters"] = {
        **PARAMETER_GROUP["Parameters"],
        "rds.force_ssl": {**PARAMETER_GROUP["Parameters"]["rds.force_ssl"], "ParameterValue": "0"},
    }
    assert rds_drift(state, DESIRED) == {"parameter_group": "parameters rds.force_ssl"}


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"BackupRetentionPeriod": 1}, "settings BackupRetentionPeriod"),
        ({"DeletionProtection": False}, "settings DeletionProtection"),
        ({"PubliclyAccessible": True}, "settings PubliclyAccessible"),
        ({"TagList": [{"Key": "Environment", "Value": "prod"}]}, "tags"),
        ({"DBInstanceStatus": "modifying"}, "status modifying"),
        ({"StorageEncrypted": False}, "storage_encrypted is False on DB instance corp-rds-main-prod"),
    ],
)
def test_a_changed_instance_differs(change, reason):
    assert rds_drift(converged(**change), DESIRED)["instance"].startswith(reason)


def test_a_pending_reboot_differs_only_when_the_role_may_reboot():
    pending = converged(DBParameterGroups=[{"DBParameterGroupName": "corp-rds-main-prod", "ParameterApplyStatus": "pending-reboot"}])
    assert rds_drift(pending, DESIRED) == {}
    rebooting = {**DESIRED, "instance": {**DESIRED["instance"], "reboot_for_pending_parameters": True}}
    assert rds_drift(pending, rebooting) == {"instance": "a reboot for pending parameters"}


def test_the_certificate_authority_is_pinned_compared_and_pending_counts_as_made():
    wanted = WANTED | {"ca_certificate_identifier": "rds-ca-rsa2048-g1"}
    assert create_request(wanted, [])["CACertificateIdentifier"] == "rds-ca-rsa2048-g1"
    assert modify_request(wanted, described(CACertificateIdentifier="rds-ca-rsa2048-g1"))[0] == {}
    request, before, after = modify_request(wanted, described(CACertificateIdentifier="rds-ca-2019"))
    assert request == {"CACertificateIdentifier": "rds-ca-rsa2048-g1"}
    assert (before, after) == ({"ca_certificate_identifier": "rds-ca-2019"}, {"ca_certificate_identifier": "rds-ca-rsa2048-g1"})
    pending = described(CACertificateIdentifier="rds-ca-2019", PendingModifiedValues={"CACertificateIdentifier": "rds-ca-rsa2048-g1"})
    assert modify_request(wanted, pending)[0] == {}
