"""The emulator's shims make moto answer the way the AWS API reference documents."""

import re
import types
import uuid

import boto3
import pytest
from moto import mock_aws

from corp_emulator import shims


@pytest.fixture
def shimmed_aws(monkeypatch):
    """moto in-process with every shim applied; no endpoint or profile can lead anywhere else."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        shims.apply_all()
        yield lambda service, region="us-east-1": boto3.client(service, region_name=region)


@pytest.fixture
def dynamodb(shimmed_aws):
    return shimmed_aws("dynamodb", "ap-south-1")


def _create(client, name):
    return client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_describe_table_has_a_stable_uuid_table_id(dynamodb):
    created = _create(dynamodb, "corp-dynamodb-main-local")["TableDescription"]["TableId"]
    first = dynamodb.describe_table(TableName="corp-dynamodb-main-local")["Table"]["TableId"]
    second = dynamodb.describe_table(TableName="corp-dynamodb-main-local")["Table"]["TableId"]
    assert created == first == second
    assert str(uuid.UUID(first)) == first


def test_each_table_has_its_own_table_id(dynamodb):
    _create(dynamodb, "corp-dynamodb-a-local")
    _create(dynamodb, "corp-dynamodb-b-local")
    ids = {dynamodb.describe_table(TableName=n)["Table"]["TableId"] for n in ("corp-dynamodb-a-local", "corp-dynamodb-b-local")}
    assert len(ids) == 2


def test_community_aws_reads_table_id_after_snake_casing(dynamodb):
    # community.aws.dynamodb_table does camel_dict_to_snake_dict(table) and then table["table_id"].
    from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

    _create(dynamodb, "corp-dynamodb-main-local")
    table = camel_dict_to_snake_dict(dynamodb.describe_table(TableName="corp-dynamodb-main-local")["Table"])
    assert table["table_id"]


def test_applying_twice_does_not_wrap_twice():
    from moto.dynamodb.models.table import Table

    shims.apply_all()
    describe = Table.describe
    shims.apply_all()
    assert Table.describe is describe


@pytest.fixture
def s3(shimmed_aws):
    return shimmed_aws("s3")


def _log_bucket_policy(statements):
    import json

    return json.dumps({"Version": "2012-10-17", "Statement": statements})


DELIVERY = {
    "Effect": "Allow",
    "Principal": {"Service": "logging.s3.amazonaws.com"},
    "Action": "s3:PutObject",
    "Resource": "arn:aws:s3:::corp-s3-accesslogs-test/source/*",
}
TLS_DENY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::corp-s3-accesslogs-test", "arn:aws:s3:::corp-s3-accesslogs-test/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def test_logging_accepts_a_target_policy_with_an_anonymous_deny(s3):
    s3.create_bucket(Bucket="corp-s3-accesslogs-test")
    s3.create_bucket(Bucket="source")
    s3.put_bucket_policy(Bucket="corp-s3-accesslogs-test", Policy=_log_bucket_policy([TLS_DENY, DELIVERY]))
    s3.put_bucket_logging(Bucket="source", BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "corp-s3-accesslogs-test", "TargetPrefix": "source/"}})
    assert s3.get_bucket_logging(Bucket="source")["LoggingEnabled"]["TargetBucket"] == "corp-s3-accesslogs-test"


def test_logging_still_requires_the_delivery_grant(s3):
    s3.create_bucket(Bucket="corp-s3-accesslogs-test")
    s3.create_bucket(Bucket="source")
    s3.put_bucket_policy(Bucket="corp-s3-accesslogs-test", Policy=_log_bucket_policy([TLS_DENY]))
    with pytest.raises(s3.exceptions.ClientError, match="InvalidTargetBucketForLogging"):
        s3.put_bucket_logging(Bucket="source", BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "corp-s3-accesslogs-test", "TargetPrefix": "source/"}})


def _guarded_bucket(s3, extra=()):
    import json

    name = "corp-s3-securedata-test"
    arn = f"arn:aws:s3:::{name}"
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, f"{arn}/*"]}
    statements = [
        dict(deny, Sid="DenyInsecureTransport", Condition={"Bool": {"aws:SecureTransport": "false"}}),
        dict(deny, Sid="DenyOutdatedTls", Condition={"NumericLessThan": {"s3:TlsVersion": 1.2}}),
        *extra,
    ]
    s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    return name


def test_tls_guardrails_let_requests_from_a_tls_endpoint_through(s3):
    name = _guarded_bucket(s3)
    s3.put_object(Bucket=name, Key="local/a.txt", Body=b"x")
    assert s3.get_object(Bucket=name, Key="local/a.txt")["Body"].read() == b"x"
    s3.delete_object(Bucket=name, Key="local/a.txt")


def test_unconditional_and_matching_denies_still_deny(s3):
    arn = "arn:aws:s3:::corp-s3-securedata-test"
    deny_puts = {"Sid": "DenyPuts", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"{arn}/*"}
    name = _guarded_bucket(s3, [deny_puts])
    with pytest.raises(s3.exceptions.ClientError, match=r"403|Forbidden|AccessDenied"):
        s3.put_object(Bucket=name, Key="local/a.txt", Body=b"x")


@pytest.mark.parametrize(
    ("operator", "key", "expected", "holds"),
    [
        ("Bool", "aws:SecureTransport", "false", False),
        ("Bool", "aws:SecureTransport", "true", True),
        ("NumericLessThan", "s3:TlsVersion", 1.2, False),
        ("NumericLessThan", "s3:TlsVersion", 1.4, True),
        ("StringEquals", "aws:SourceVpce", "vpce-1", False),  # key absent from the request
        ("StringEqualsIfExists", "aws:SourceVpce", "vpce-1", True),
    ],
)
def test_condition_evaluation(operator, key, expected, holds):
    assert shims._condition_holds(operator, key, expected, shims.S3_REQUEST_CONTEXT) is holds


def test_key_deletion_accepts_the_key_arn(shimmed_aws):
    kms = shimmed_aws("kms")
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    kms.schedule_key_deletion(KeyId=arn, PendingWindowInDays=30)
    assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    kms.cancel_key_deletion(KeyId=arn)
    assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "Disabled"
    # amazon.aws.kms_key restores a key pending deletion: CancelKeyDeletion, then EnableKey, both by ARN.
    kms.enable_key(KeyId=arn)
    assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "Enabled"
    kms.disable_key(KeyId=arn)
    assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "Disabled"


@pytest.fixture
def abac_bucket(shimmed_aws):
    s3 = shimmed_aws("s3")
    s3.create_bucket(Bucket="corp-s3-abac-local")
    return s3


def test_update_role_keeps_the_fields_it_is_not_given(shimmed_aws):
    iam = shimmed_aws("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}", Description="kept", MaxSessionDuration=7200)
    iam.update_role(RoleName="r", MaxSessionDuration=43200)
    assert (iam.get_role(RoleName="r")["Role"]["Description"], iam.get_role(RoleName="r")["Role"]["MaxSessionDuration"]) == ("kept", 43200)
    iam.update_role(RoleName="r", Description="new")
    assert (iam.get_role(RoleName="r")["Role"]["Description"], iam.get_role(RoleName="r")["Role"]["MaxSessionDuration"]) == ("new", 43200)


def test_bucket_abac_is_off_until_turned_on(abac_bucket):
    assert abac_bucket.get_bucket_abac(Bucket="corp-s3-abac-local")["AbacStatus"]["Status"] == "Disabled"
    abac_bucket.put_bucket_abac(Bucket="corp-s3-abac-local", AbacStatus={"Status": "Enabled"})
    assert abac_bucket.get_bucket_abac(Bucket="corp-s3-abac-local")["AbacStatus"]["Status"] == "Enabled"


def test_bucket_abac_on_a_missing_bucket_is_no_such_bucket(abac_bucket):
    with pytest.raises(abac_bucket.exceptions.NoSuchBucket):
        abac_bucket.get_bucket_abac(Bucket="corp-s3-missing-local")


def test_with_abac_on_bucket_tagging_fails_and_s3_control_tagging_works(shimmed_aws, abac_bucket):
    from botocore.exceptions import ClientError

    abac_bucket.put_bucket_tagging(Bucket="corp-s3-abac-local", Tagging={"TagSet": [{"Key": "Environment", "Value": "local"}]})
    abac_bucket.put_bucket_abac(Bucket="corp-s3-abac-local", AbacStatus={"Status": "Enabled"})
    for call in (
        lambda: abac_bucket.put_bucket_tagging(Bucket="corp-s3-abac-local", Tagging={"TagSet": [{"Key": "Environment", "Value": "dev"}]}),
        lambda: abac_bucket.delete_bucket_tagging(Bucket="corp-s3-abac-local"),
    ):
        with pytest.raises(ClientError, match="InvalidRequest"):
            call()
    shimmed_aws("s3control").tag_resource(
        AccountId="123456789012", ResourceArn="arn:aws:s3:::corp-s3-abac-local", Tags=[{"Key": "Environment", "Value": "dev"}]
    )
    assert abac_bucket.get_bucket_tagging(Bucket="corp-s3-abac-local")["TagSet"] == [{"Key": "Environment", "Value": "dev"}]
    abac_bucket.put_bucket_abac(Bucket="corp-s3-abac-local", AbacStatus={"Status": "Disabled"})
    abac_bucket.delete_bucket_tagging(Bucket="corp-s3-abac-local")


# --- RDS ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def rds(shimmed_aws):
    return shimmed_aws("rds")


def _parameter_group(rds, name="corp-rds-pg-local", family="postgres17"):
    rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily=family, Description="corp.infra test")
    return name


def _instance(rds, name="corp-rds-main-local", **extra):
    settings = {
        "DBInstanceIdentifier": name,
        "DBInstanceClass": "db.t4g.micro",
        "Engine": "postgres",
        "EngineVersion": "17.6",
        "MasterUsername": "corp_admin",
        "ManageMasterUserPassword": True,  # as the stack creates them: no password anywhere
        "AllocatedStorage": 20,
        "StorageType": "gp3",
    }
    return rds.create_db_instance(**(settings | extra))["DBInstance"]


def _parameters(rds, group, **extra):
    return {p["ParameterName"]: p for p in rds.describe_db_parameters(DBParameterGroupName=group, **extra)["Parameters"]}


def test_describing_a_missing_parameter_group_is_not_found(rds):
    with pytest.raises(rds.exceptions.DBParameterGroupNotFoundFault):
        rds.describe_db_parameter_groups(DBParameterGroupName="corp-rds-missing-local")
    name = _parameter_group(rds)
    assert [g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups(DBParameterGroupName=name)["DBParameterGroups"]] == [name]
    assert rds.describe_db_parameter_groups(DBParameterGroupName="default.postgres17")["DBParameterGroups"][0]["DBParameterGroupFamily"] == "postgres17"


def test_a_modified_subnet_group_is_still_there(rds, shimmed_aws):
    ec2 = shimmed_aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"] for i, z in ((0, "a"), (1, "b"))
    ]
    rds.create_db_subnet_group(DBSubnetGroupName="corp-rds-main-local", DBSubnetGroupDescription="first", SubnetIds=subnets)
    rds.modify_db_subnet_group(DBSubnetGroupName="corp-rds-main-local", DBSubnetGroupDescription="second", SubnetIds=subnets)
    (group,) = rds.describe_db_subnet_groups(DBSubnetGroupName="corp-rds-main-local")["DBSubnetGroups"]
    assert group["DBSubnetGroupDescription"] == "second"
    with pytest.raises(rds.exceptions.DBSubnetGroupNotFoundFault):
        rds.modify_db_subnet_group(DBSubnetGroupName="corp-rds-missing-local", DBSubnetGroupDescription="x", SubnetIds=subnets)


@pytest.mark.parametrize("family", ["postgres16", "postgres17", "postgres18"])
def test_engine_default_parameters_of_the_postgres_families(rds, family):
    defaults = rds.describe_engine_default_parameters(DBParameterGroupFamily=family)["EngineDefaults"]
    assert defaults["DBParameterGroupFamily"] == family
    parameters = {p["ParameterName"]: p for p in defaults["Parameters"]}
    assert parameters["rds.force_ssl"] == {
        "ParameterName": "rds.force_ssl",
        "ParameterValue": "1",
        "Description": "Force SSL connections.",
        "Source": "system",
        "ApplyType": "dynamic",
        "DataType": "boolean",
        "AllowedValues": "0,1",
        "IsModifiable": True,
        "ApplyMethod": "pending-reboot",
    }
    expected = {
        "log_connections": ("dynamic", "boolean"),
        "log_disconnections": ("dynamic", "boolean"),
        "log_min_duration_statement": ("dynamic", "integer"),
        "shared_preload_libraries": ("static", "list"),
        "max_connections": ("static", "integer"),
        "password_encryption": ("dynamic", "string"),
    }
    assert {name: (parameters[name]["ApplyType"], parameters[name]["DataType"]) for name in expected} == expected
    assert "ParameterValue" not in parameters["log_connections"]


def test_a_new_postgres_group_describes_the_engine_defaults_and_then_the_user_values(rds):
    group = _parameter_group(rds)
    assert _parameters(rds, group)["rds.force_ssl"]["Source"] == "system"
    assert _parameters(rds, group, Source="user") == {}
    rds.modify_db_parameter_group(
        DBParameterGroupName=group,
        Parameters=[
            {"ParameterName": "log_min_duration_statement", "ParameterValue": "500", "ApplyMethod": "immediate"},
            {"ParameterName": "shared_preload_libraries", "ParameterValue": "pg_stat_statements,pgaudit", "ApplyMethod": "pending-reboot"},
        ],
    )
    parameters = _parameters(rds, group)
    assert parameters["log_min_duration_statement"]["ParameterValue"] == "500"
    assert parameters["log_min_duration_statement"]["Source"] == "user"
    assert parameters["log_min_duration_statement"]["ApplyMethod"] == "immediate"
    assert parameters["shared_preload_libraries"]["ApplyType"] == "static"
    assert parameters["rds.force_ssl"]["ParameterValue"] == "1"
    assert sorted(_parameters(rds, group, Source="user")) == ["log_min_duration_statement", "shared_preload_libraries"]
    assert "log_min_duration_statement" not in _parameters(rds, group, Source="engine-default")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"ParameterName": "rds.no_such_parameter", "ParameterValue": "1", "ApplyMethod": "immediate"}, "InvalidParameterValue"),
        ({"ParameterName": "max_connections", "ParameterValue": "200", "ApplyMethod": "immediate"}, "InvalidParameterCombination"),
    ],
)
def test_modify_parameter_group_refuses_what_rds_refuses_and_stores_nothing(rds, change, code):
    from botocore.exceptions import ClientError

    group = _parameter_group(rds)
    fine = {"ParameterName": "log_connections", "ParameterValue": "1", "ApplyMethod": "immediate"}
    with pytest.raises(ClientError) as raised:
        rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[fine, change])
    assert raised.value.response["Error"]["Code"] == code
    assert _parameters(rds, group, Source="user") == {}


def test_rds_instance_param_group_finds_force_ssl(rds):
    # amazon.aws.rds_instance_param_group reported "rds.force_ssl is not an available parameter" and set nothing.
    from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
    from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
    from ansible_collections.amazon.aws.plugins.modules import rds_instance_param_group

    group = _parameter_group(rds)

    module = types.SimpleNamespace(
        params={"name": group, "params": {"rds.force_ssl": 1, "log_connections": True}, "immediate": False, "engine": "postgres17"}, check_mode=False
    )
    client = RetryingBotoClientWrapper(rds, AWSRetry.jittered_backoff())
    assert rds_instance_param_group.update_parameters(module, client) == (True, [])
    assert _parameters(rds, group)["log_connections"]["ParameterValue"] == "1"


def _apply_status(rds, name):
    return rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["DBParameterGroups"]


def test_a_pending_reboot_change_waits_for_a_reboot(rds):
    group = _parameter_group(rds)
    _instance(rds, DBParameterGroupName=group)
    _instance(rds, "corp-rds-other-local")
    dynamic = {"ParameterName": "log_connections", "ParameterValue": "1", "ApplyMethod": "immediate"}
    rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[dynamic])
    assert _apply_status(rds, "corp-rds-main-local") == [{"DBParameterGroupName": group, "ParameterApplyStatus": "in-sync"}]
    rds.modify_db_parameter_group(
        DBParameterGroupName=group, Parameters=[{"ParameterName": "max_connections", "ParameterValue": "200", "ApplyMethod": "pending-reboot"}]
    )
    assert _apply_status(rds, "corp-rds-main-local") == [{"DBParameterGroupName": group, "ParameterApplyStatus": "pending-reboot"}]
    assert _apply_status(rds, "corp-rds-other-local")[0]["ParameterApplyStatus"] == "in-sync"
    rds.reboot_db_instance(DBInstanceIdentifier="corp-rds-main-local")
    assert _apply_status(rds, "corp-rds-main-local") == [{"DBParameterGroupName": group, "ParameterApplyStatus": "in-sync"}]


def test_a_newly_associated_parameter_group_waits_for_a_reboot(rds):
    _instance(rds)
    group = _parameter_group(rds)
    rds.modify_db_instance(DBInstanceIdentifier="corp-rds-main-local", DBParameterGroupName=group, ApplyImmediately=True)
    assert _apply_status(rds, "corp-rds-main-local") == [{"DBParameterGroupName": group, "ParameterApplyStatus": "pending-reboot"}]
    rds.reboot_db_instance(DBInstanceIdentifier="corp-rds-main-local")
    assert _apply_status(rds, "corp-rds-main-local")[0]["ParameterApplyStatus"] == "in-sync"


def _performance_insights(described):
    return {k: v for k, v in described.items() if k.startswith("PerformanceInsights")}


def test_performance_insights_off_by_default(rds):
    assert _performance_insights(_instance(rds)) == {"PerformanceInsightsEnabled": False}


def test_performance_insights_default_retention_and_key(shimmed_aws, rds):
    created = _instance(rds, EnablePerformanceInsights=True)
    default_key = shimmed_aws("kms").describe_key(KeyId="alias/aws/rds")["KeyMetadata"]["Arn"]
    assert _performance_insights(created) == {
        "PerformanceInsightsEnabled": True,
        "PerformanceInsightsRetentionPeriod": 7,
        "PerformanceInsightsKMSKeyId": default_key,
    }
    described = rds.describe_db_instances(DBInstanceIdentifier="corp-rds-main-local")["DBInstances"][0]
    assert _performance_insights(described) == _performance_insights(created)


def test_performance_insights_given_key_modify_and_disable(shimmed_aws, rds):
    key = shimmed_aws("kms").create_key()["KeyMetadata"]
    _instance(rds, EnablePerformanceInsights=True, PerformanceInsightsKMSKeyId=key["KeyId"], PerformanceInsightsRetentionPeriod=31)
    modified = rds.modify_db_instance(DBInstanceIdentifier="corp-rds-main-local", PerformanceInsightsRetentionPeriod=93, ApplyImmediately=True)
    assert _performance_insights(modified["DBInstance"]) == {
        "PerformanceInsightsEnabled": True,
        "PerformanceInsightsRetentionPeriod": 93,
        "PerformanceInsightsKMSKeyId": key["Arn"],
    }
    disabled = rds.modify_db_instance(DBInstanceIdentifier="corp-rds-main-local", EnablePerformanceInsights=False, ApplyImmediately=True)
    assert _performance_insights(disabled["DBInstance"]) == {"PerformanceInsightsEnabled": False}


def test_performance_insights_with_a_missing_key_is_refused(rds):
    missing = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    with pytest.raises(rds.exceptions.KMSKeyNotAccessibleFault):
        _instance(rds, EnablePerformanceInsights=True, PerformanceInsightsKMSKeyId=missing)


def _storage(described):
    return described.get("Iops"), described.get("StorageThroughput")


def test_gp3_baseline_below_and_from_400_gib(rds):
    assert _storage(_instance(rds)) == (3000, 125)
    assert _storage(_instance(rds, "corp-rds-big-local", AllocatedStorage=400)) == (12000, 500)
    grown = rds.modify_db_instance(DBInstanceIdentifier="corp-rds-main-local", AllocatedStorage=500, ApplyImmediately=True)["DBInstance"]
    assert _storage(grown) == (12000, 500)
    assert _storage(_instance(rds, "corp-rds-gp2-local", StorageType="gp2")) == (None, None)
    # explicit performance from 400 GiB wins over the baseline
    assert _storage(_instance(rds, "corp-rds-fast-local", AllocatedStorage=500, Iops=15000, StorageThroughput=750)) == (15000, 750)
    rds.modify_db_instance(DBInstanceIdentifier="corp-rds-big-local", Iops=16000, ApplyImmediately=True)
    assert _storage(rds.describe_db_instances(DBInstanceIdentifier="corp-rds-big-local")["DBInstances"][0]) == (16000, 500)


def test_gp3_explicit_performance_below_400_gib_is_refused(rds):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError, match="InvalidParameterCombination"):
        _instance(rds, Iops=3000)
    _instance(rds)
    with pytest.raises(ClientError, match="InvalidParameterCombination"):
        rds.modify_db_instance(DBInstanceIdentifier="corp-rds-main-local", StorageThroughput=200, ApplyImmediately=True)


def _versions(rds, **arguments):
    return [v["EngineVersion"] for v in rds.describe_db_engine_versions(**arguments)["DBEngineVersions"]]


def test_engine_versions_for_postgres(rds):
    assert {"16.8", "16.9", "16.10", "17.4", "17.5", "17.6", "18.1"} <= set(_versions(rds, Engine="postgres"))
    assert _versions(rds, Engine="postgres", EngineVersion="16") == ["16.8", "16.9", "16.10"]
    assert _versions(rds, Engine="postgres", EngineVersion="17.5") == ["17.5"]
    assert _versions(rds, Engine="postgres", DBParameterGroupFamily="postgres17") == ["17.4", "17.5", "17.6"]
    assert _versions(rds, Engine="postgres", DefaultOnly=True) == ["18.1"]
    assert _versions(rds, Engine="postgres", EngineVersion="16", DefaultOnly=True) == ["16.10"]
    assert _versions(rds, Engine="postgres", EngineVersion="16.1") == []
    assert _versions(rds, Engine="mysql") == []
    entry = rds.describe_db_engine_versions(Engine="postgres", EngineVersion="18.1")["DBEngineVersions"][0]
    expected = {
        "Engine": "postgres",
        "EngineVersion": "18.1",
        "DBParameterGroupFamily": "postgres18",
        "DBEngineDescription": "PostgreSQL",
        "Status": "available",
        "SupportsLogExportsToCloudwatchLogs": True,
        "ExportableLogTypes": ["postgresql", "upgrade"],
        "SupportedEngineModes": ["provisioned"],
    }
    assert {key: entry[key] for key in expected} == expected
    assert entry["DBEngineVersionDescription"].startswith("PostgreSQL 18.1")


def test_rds_engine_versions_info_reads_the_answer(rds):
    from ansible_collections.amazon.aws.plugins.modules import rds_engine_versions_info

    module = types.SimpleNamespace(
        params={"engine": "postgres", "engine_version": "17", "db_parameter_group_family": None, "default_only": False, "filters": None}
    )
    result = rds_engine_versions_info.describe_db_engine_versions(rds, module)
    assert [v["engine_version"] for v in result["db_engine_versions"]] == ["17.4", "17.5", "17.6"]
    assert result["db_engine_versions"][0]["db_parameter_group_family"] == "postgres17"
    assert result["db_engine_versions"][0]["tags"] == {}


def test_applying_the_rds_shims_twice_does_not_wrap_twice():
    from moto.rds.models import DBInstance
    from moto.rds.models import RDSBackend

    shims.apply_all()
    methods = (RDSBackend.modify_db_parameter_group, RDSBackend.modify_db_instance, DBInstance.__init__, DBInstance.update)
    shims.apply_all()
    assert (RDSBackend.modify_db_parameter_group, RDSBackend.modify_db_instance, DBInstance.__init__, DBInstance.update) == methods


def test_encrypted_storage_without_a_key_uses_the_aws_rds_key(shimmed_aws, rds):
    default_key = shimmed_aws("kms").describe_key(KeyId="alias/aws/rds")["KeyMetadata"]["Arn"]
    assert _instance(rds, StorageEncrypted=True)["KmsKeyId"] == default_key
    given = shimmed_aws("kms").create_key()["KeyMetadata"]["Arn"]
    assert _instance(rds, name="corp-rds-other-local", StorageEncrypted=True, KmsKeyId=given)["KmsKeyId"] == given
    assert "KmsKeyId" not in _instance(rds, name="corp-rds-plain-local")


# --- DynamoDB: SSE, TableClass, streams, billing mode -----------------------------------------------------------------


def _table_arguments():
    return dict(
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _kms_key(shimmed_aws, alias):
    kms = shimmed_aws("kms", "ap-south-1")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    return kms, key["Arn"]


def _aws_dynamodb_key_arn(kms):
    return kms.describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]["Arn"]


def _sse(dynamodb, name):
    return dynamodb.describe_table(TableName=name)["Table"].get("SSEDescription")


def test_create_table_returns_the_arn_of_a_given_key_and_uses_aws_dynamodb_without_one(shimmed_aws, dynamodb):
    kms, arn = _kms_key(shimmed_aws, "alias/corp-dynamodb-local")
    given = dict(Enabled=True, SSEType="KMS", KMSMasterKeyId="alias/corp-dynamodb-local")
    created = dynamodb.create_table(TableName="corp-dynamodb-cmk-local", SSESpecification=given, **_table_arguments())["TableDescription"]
    assert created["SSEDescription"] == {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": arn}
    assert _sse(dynamodb, "corp-dynamodb-cmk-local")["KMSMasterKeyArn"] == arn
    dynamodb.create_table(TableName="corp-dynamodb-managed-local", SSESpecification={"Enabled": True, "SSEType": "KMS"}, **_table_arguments())
    assert _sse(dynamodb, "corp-dynamodb-managed-local")["KMSMasterKeyArn"] == _aws_dynamodb_key_arn(kms)


def test_create_table_with_a_missing_key_is_refused(dynamodb):
    with pytest.raises(dynamodb.exceptions.ClientError) as error:
        dynamodb.create_table(
            TableName="corp-dynamodb-main-local", SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/missing"}, **_table_arguments()
        )
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert dynamodb.list_tables()["TableNames"] == []


def test_create_table_with_sse_disabled_uses_the_aws_owned_key(shimmed_aws, dynamodb):
    created = dynamodb.create_table(TableName="corp-dynamodb-main-local", SSESpecification={"Enabled": False}, **_table_arguments())["TableDescription"]
    assert "SSEDescription" not in created
    assert shimmed_aws("kms", "ap-south-1").list_keys()["Keys"] == []


def test_update_table_switches_between_customer_managed_aws_managed_and_aws_owned_keys(shimmed_aws, dynamodb):
    kms, arn = _kms_key(shimmed_aws, "alias/corp-dynamodb-local")
    _create(dynamodb, "corp-dynamodb-main-local")
    assert _sse(dynamodb, "corp-dynamodb-main-local") is None
    updated = dynamodb.update_table(TableName="corp-dynamodb-main-local", SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": arn})
    assert updated["TableDescription"]["SSEDescription"] == {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": arn}
    assert _sse(dynamodb, "corp-dynamodb-main-local")["KMSMasterKeyArn"] == arn
    dynamodb.update_table(TableName="corp-dynamodb-main-local", SSESpecification={"Enabled": True, "SSEType": "KMS"})
    assert _sse(dynamodb, "corp-dynamodb-main-local")["KMSMasterKeyArn"] == _aws_dynamodb_key_arn(kms)
    dynamodb.update_table(TableName="corp-dynamodb-main-local", SSESpecification={"Enabled": False})
    assert _sse(dynamodb, "corp-dynamodb-main-local") is None


def test_update_table_with_a_missing_key_changes_nothing(dynamodb):
    _create(dynamodb, "corp-dynamodb-main-local")
    with pytest.raises(dynamodb.exceptions.ClientError) as error:
        dynamodb.update_table(
            TableName="corp-dynamodb-main-local",
            BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 2},
            SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/missing"},
        )
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert dynamodb.describe_table(TableName="corp-dynamodb-main-local")["Table"]["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def _table_class(dynamodb, name):
    return dynamodb.describe_table(TableName=name)["Table"].get("TableClassSummary")


def test_table_class_summary_only_once_a_class_was_set(dynamodb):
    _create(dynamodb, "corp-dynamodb-default-local")
    assert _table_class(dynamodb, "corp-dynamodb-default-local") is None
    created = dynamodb.create_table(TableName="corp-dynamodb-ia-local", TableClass="STANDARD_INFREQUENT_ACCESS", **_table_arguments())["TableDescription"]
    assert created["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    assert _table_class(dynamodb, "corp-dynamodb-ia-local") == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}


def test_update_table_changes_the_table_class(dynamodb):
    _create(dynamodb, "corp-dynamodb-main-local")
    updated = dynamodb.update_table(TableName="corp-dynamodb-main-local", TableClass="STANDARD_INFREQUENT_ACCESS")["TableDescription"]
    assert updated["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"
    assert "LastUpdateDateTime" in updated["TableClassSummary"]
    dynamodb.update_table(TableName="corp-dynamodb-main-local", TableClass="STANDARD")
    assert _table_class(dynamodb, "corp-dynamodb-main-local")["TableClass"] == "STANDARD"


@pytest.mark.parametrize("operation", ["create", "update"])
def test_an_unknown_table_class_is_refused(dynamodb, operation):
    with pytest.raises(dynamodb.exceptions.ClientError) as error:
        if operation == "create":
            dynamodb.create_table(TableName="corp-dynamodb-main-local", TableClass="standard", **_table_arguments())
        else:
            _create(dynamodb, "corp-dynamodb-main-local")
            dynamodb.update_table(TableName="corp-dynamodb-main-local", TableClass="GLACIER")
    assert error.value.response["Error"]["Code"] == "ValidationException"


def _stream(dynamodb, enabled, view="NEW_AND_OLD_IMAGES"):
    spec = {"StreamEnabled": True, "StreamViewType": view} if enabled else {"StreamEnabled": False}
    return dynamodb.update_table(TableName="corp-dynamodb-main-local", StreamSpecification=spec)["TableDescription"]


def test_a_disabled_stream_can_be_enabled_again_with_another_view_type(dynamodb):
    _create(dynamodb, "corp-dynamodb-main-local")
    first = _stream(dynamodb, True)["LatestStreamArn"]
    assert "StreamSpecification" not in _stream(dynamodb, False)
    again = _stream(dynamodb, True, "KEYS_ONLY")
    assert again["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert again["LatestStreamArn"] != first


@pytest.mark.parametrize("enabled", [True, False])
def test_enabling_an_enabled_stream_or_disabling_a_missing_one_is_a_validation_error(dynamodb, enabled):
    _create(dynamodb, "corp-dynamodb-main-local")
    if enabled:
        _stream(dynamodb, True)
    with pytest.raises(dynamodb.exceptions.ClientError) as error:
        _stream(dynamodb, enabled)
    assert error.value.response["Error"]["Code"] == "ValidationException"


def test_switching_to_provisioned_requires_capacity(dynamodb):
    _create(dynamodb, "corp-dynamodb-main-local")
    with pytest.raises(dynamodb.exceptions.ClientError) as error:
        dynamodb.update_table(TableName="corp-dynamodb-main-local", BillingMode="PROVISIONED")
    assert error.value.response["Error"]["Code"] == "ValidationException"
    updated = dynamodb.update_table(
        TableName="corp-dynamodb-main-local", BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3}
    )["TableDescription"]
    assert updated["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 3, "NumberOfDecreasesToday": 0}


def test_switching_to_pay_per_request_sets_the_capacity_to_zero(dynamodb):
    throughput = {"ReadCapacityUnits": 4, "WriteCapacityUnits": 2}
    dynamodb.create_table(
        TableName="corp-dynamodb-main-local",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "owner", "AttributeType": "S"}],
        ProvisionedThroughput=throughput,
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-owner",
                "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": throughput,
            }
        ],
    )
    table = dynamodb.update_table(TableName="corp-dynamodb-main-local", BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["ProvisionedThroughput"] == {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0, "NumberOfDecreasesToday": 0}
    index = table["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]
    assert (index["ReadCapacityUnits"], index["WriteCapacityUnits"]) == (0, 0)


def test_applying_the_dynamodb_shims_twice_does_not_wrap_twice():
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    def methods():
        return (
            Table.__init__,
            Table.describe,
            DynamoHandler.create_table,
            DynamoHandler.update_table,
            DynamoDBBackend.update_table,
            DynamoDBBackend.update_table_streams,
        )

    shims.apply_all()
    before = methods()
    shims.apply_all()
    assert methods() == before


def test_aws_managed_keys_say_so_and_customer_keys_do_not(shimmed_aws):
    dynamodb, kms = shimmed_aws("dynamodb"), shimmed_aws("kms")
    dynamodb.create_table(
        TableName="corp-dynamodb-managed-local",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS"},
    )
    assert kms.describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]["KeyManager"] == "AWS"
    customer = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/corp-kms-data-local", TargetKeyId=customer)
    assert kms.describe_key(KeyId=customer)["KeyMetadata"]["KeyManager"] == "CUSTOMER"


def test_rds_managed_master_secrets_rotate_every_seven_days(shimmed_aws, rds):
    settings = {"DBInstanceIdentifier": "corp-rds-managed-local", "DBInstanceClass": "db.t4g.micro", "Engine": "postgres", "EngineVersion": "17.6"}
    created = rds.create_db_instance(**settings, MasterUsername="corpadmin", ManageMasterUserPassword=True, AllocatedStorage=20)["DBInstance"]
    secret = shimmed_aws("secretsmanager").describe_secret(SecretId=created["MasterUserSecret"]["SecretArn"])
    assert secret["RotationEnabled"] is True and secret["RotationRules"]["AutomaticallyAfterDays"] == 7


def test_a_bucket_that_sends_events_to_eventbridge_says_so(s3):
    s3.create_bucket(Bucket="corp-s3-securedata-prod")
    assert "EventBridgeConfiguration" not in s3.get_bucket_notification_configuration(Bucket="corp-s3-securedata-prod")
    s3.put_bucket_notification_configuration(Bucket="corp-s3-securedata-prod", NotificationConfiguration={"EventBridgeConfiguration": {}})
    assert s3.get_bucket_notification_configuration(Bucket="corp-s3-securedata-prod")["EventBridgeConfiguration"] == {}
    s3.put_bucket_notification_configuration(Bucket="corp-s3-securedata-prod", NotificationConfiguration={})
    assert "EventBridgeConfiguration" not in s3.get_bucket_notification_configuration(Bucket="corp-s3-securedata-prod")


def test_network_acls_are_found_by_id(shimmed_aws):
    ec2 = shimmed_aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl(VpcId=vpc)
    found = ec2.describe_network_acls(Filters=[{"Name": "network-acl-id", "Values": [acl]}])["NetworkAcls"]
    assert [a["NetworkAclId"] for a in found] == [acl]


@pytest.fixture
def backup(shimmed_aws):
    client = shimmed_aws("backup", "eu-west-1")
    client.create_backup_vault(BackupVaultName="corp-backup-data-local")
    return client


def _plan(client, days=7):
    rule = {"RuleName": "daily", "TargetBackupVaultName": "corp-backup-data-local", "Lifecycle": {"DeleteAfterDays": days}}
    return client.create_backup_plan(BackupPlan={"BackupPlanName": "corp-backup-data-local", "Rules": [rule]})["BackupPlanId"]


SELECTION = {
    "SelectionName": "corp-backup-data-local",
    "IamRoleArn": "arn:aws:iam::123456789012:role/corp-iam-backup-local",
    "Resources": ["arn:aws:rds:eu-west-1:123456789012:db:*"],
    "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/Environment", "ConditionValue": "local"}]},
}


def test_a_backup_selection_reads_back_as_aws_returns_it(backup):
    plan_id = _plan(backup)
    selection_id = backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=SELECTION)["SelectionId"]
    listed = backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]
    assert [(s["SelectionId"], s["SelectionName"], s["IamRoleArn"]) for s in listed] == [(selection_id, SELECTION["SelectionName"], SELECTION["IamRoleArn"])]
    read = backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=selection_id)["BackupSelection"]
    # AWS returns every condition operator, empty ones included (amazon.aws.backup_selection relies on that).
    empty = {key: [] for key in ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike")}
    assert read["Conditions"] == {**empty, **SELECTION["Conditions"]}
    assert read["Resources"] == SELECTION["Resources"]


def test_a_plan_with_selections_cannot_be_deleted_and_its_name_is_free_after_deletion(backup):
    plan_id = _plan(backup)
    selection_id = backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=SELECTION)["SelectionId"]
    with pytest.raises(backup.exceptions.InvalidRequestException, match="selections must be deleted"):
        backup.delete_backup_plan(BackupPlanId=plan_id)
    backup.delete_backup_selection(BackupPlanId=plan_id, SelectionId=selection_id)
    backup.delete_backup_plan(BackupPlanId=plan_id)
    assert _plan(backup) != plan_id
    with pytest.raises(backup.exceptions.AlreadyExistsException):
        _plan(backup)


def test_update_backup_plan_replaces_the_rules_and_the_version(backup):
    plan_id = _plan(backup, days=7)
    before = backup.get_backup_plan(BackupPlanId=plan_id)["VersionId"]
    rule = {"RuleName": "daily", "TargetBackupVaultName": "corp-backup-data-local", "Lifecycle": {"DeleteAfterDays": 35}}
    after = backup.update_backup_plan(BackupPlanId=plan_id, BackupPlan={"BackupPlanName": "corp-backup-data-local", "Rules": [rule]})["VersionId"]
    plan = backup.get_backup_plan(BackupPlanId=plan_id)
    assert after != before and plan["VersionId"] == after
    assert plan["BackupPlan"]["Rules"][0]["Lifecycle"] == {"DeleteAfterDays": 35}


def test_an_unknown_vault_is_access_denied_as_on_aws(backup):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as error:
        backup.describe_backup_vault(BackupVaultName="corp-backup-data-other")
    assert error.value.response["Error"]["Code"] == "AccessDeniedException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert backup.describe_backup_vault(BackupVaultName="corp-backup-data-local")["BackupVaultName"] == "corp-backup-data-local"


def test_each_db_instance_has_its_own_resource_id(rds):
    first = _instance(rds, "corp-rds-main-dev")["DbiResourceId"]
    second = _instance(rds, "corp-rds-main-prod")["DbiResourceId"]
    assert first != second and all(re.fullmatch(r"db-[A-Z0-9]{26}", i) for i in (first, second))
    assert rds.describe_db_instances(DBInstanceIdentifier="corp-rds-main-dev")["DBInstances"][0]["DbiResourceId"] == first


def test_an_instance_is_creating_then_modifying_for_the_answers_asked_then_available(shimmed_aws, monkeypatch):
    monkeypatch.setattr(shims, "STATE_SETTINGS", {"rds_describes": 2})
    monkeypatch.setattr(shims, "STATE_ANSWERS", {})
    rds = shimmed_aws("rds")
    name = "corp-rds-main-local"

    def status():
        return rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["DBInstanceStatus"]

    assert _instance(rds, name)["DBInstanceStatus"] == "creating"
    assert [status(), status(), status()] == ["creating", "creating", "available"]
    rds.modify_db_instance(DBInstanceIdentifier=name, BackupRetentionPeriod=10, ApplyImmediately=True)
    assert status() == "modifying"
    # boto3's own waiter, as corp.infra.rds_instance and site.yml's "Wait for the database" use it.
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=name, WaiterConfig={"Delay": 0, "MaxAttempts": 3})
    assert status() == "available" and shims.STATE_ANSWERS == {"creating": 2, "modifying": 2}
    # A modification left for the maintenance window does not change the state.
    rds.modify_db_instance(DBInstanceIdentifier=name, BackupRetentionPeriod=7, ApplyImmediately=False)
    assert status() == "available"


def test_without_the_rehearsal_an_instance_is_available_at_once(shimmed_aws, monkeypatch):
    monkeypatch.setattr(shims, "STATE_SETTINGS", {"rds_describes": 0})
    rds = shimmed_aws("rds")
    assert _instance(rds)["DBInstanceStatus"] == "available"


def test_a_table_then_an_added_index_are_creating_for_the_answers_asked_and_one_index_changes_at_a_time(shimmed_aws, monkeypatch):
    from botocore.exceptions import ClientError

    monkeypatch.setattr(shims, "STATE_SETTINGS", {"rds_describes": 0, "dynamodb_describes": 2})
    monkeypatch.setattr(shims, "STATE_ANSWERS", {})
    dynamodb = shimmed_aws("dynamodb", "ap-south-1")
    name = "corp-dynamodb-main-local"
    _create(dynamodb, name)

    def table():
        return dynamodb.describe_table(TableName=name)["Table"]

    assert [table()["TableStatus"] for _answer in range(3)] == ["CREATING", "CREATING", "ACTIVE"]

    def add(index):
        created = {"IndexName": f"by-{index}", "KeySchema": [{"AttributeName": index, "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}
        dynamodb.update_table(
            TableName=name, AttributeDefinitions=[{"AttributeName": index, "AttributeType": "S"}], GlobalSecondaryIndexUpdates=[{"Create": created}]
        )

    add("owner")
    answers = [table() for _answer in range(2)]
    assert [(t["TableStatus"], t["GlobalSecondaryIndexes"][0]["IndexStatus"]) for t in answers] == [("ACTIVE", "CREATING")] * 2
    # The table is ACTIVE, yet a second index change while the first index backfills is refused.
    with pytest.raises(ClientError) as refused:
        add("status")
    assert refused.value.response["Error"]["Code"] == "LimitExceededException"
    assert [i["IndexStatus"] for i in table()["GlobalSecondaryIndexes"]] == ["ACTIVE"]
    add("status")
    assert shims.STATE_ANSWERS == {"CREATING": 2, "index CREATING": 2}


def test_without_the_rehearsal_a_table_and_its_new_index_are_active_at_once(dynamodb, monkeypatch):
    monkeypatch.setattr(shims, "STATE_SETTINGS", {"rds_describes": 0, "dynamodb_describes": 0})
    _create(dynamodb, "corp-dynamodb-main-local")
    assert dynamodb.describe_table(TableName="corp-dynamodb-main-local")["Table"]["TableStatus"] == "ACTIVE"
