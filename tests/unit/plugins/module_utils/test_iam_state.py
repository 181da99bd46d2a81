"""iam_drift: converged roles and policy are in sync, and each setting the iam role passes a module, changed
alone, makes exactly that part differ."""

import copy
from pathlib import Path

import pytest
import yaml

from ansible_collections.corp.infra.plugins.module_utils.iam_state import INSTANCE_PROFILE_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.iam_state import MANAGED_POLICY_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.iam_state import ROLE_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.iam_state import iam_drift
from ansible_collections.corp.infra.plugins.module_utils.iam_state import instance_profile_differs
from ansible_collections.corp.infra.plugins.module_utils.iam_state import managed_policy_differs
from ansible_collections.corp.infra.plugins.module_utils.iam_state import role_differs

ROLE = Path(__file__).resolve().parents[4] / "roles" / "iam"
TAGS = {"Environment": "prod", "ManagedBy": "corp.infra"}
POLICY_ARN = "arn:aws:iam::111122223333:policy/corp-iam-dataaccess-prod"
MONITORING_ARN = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["ec2.amazonaws.com"]}}]}
DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/p/*"]}]}

DESIRED = {
    "data_access_policy": {"kind": "managed_policy", "arn": POLICY_ARN, "document": DOCUMENT, "only_version": True, "tags": TAGS},
    "data_access_role": {
        "kind": "role",
        "name": "data",
        "description": "data access",
        "trust_policy": TRUST,
        "managed_policies": [POLICY_ARN],
        "boundary": "",
        "max_session_duration": 3600,
        "tags": TAGS,
    },
    "monitoring_role": {
        "kind": "role",
        "name": "monitoring",
        "description": "monitoring",
        "trust_policy": TRUST,
        "managed_policies": [MONITORING_ARN],
        "tags": TAGS,
    },
}


def role(name, description, attached):
    return {
        "RoleName": name,
        "Description": description,
        "AssumeRolePolicyDocument": TRUST,
        "MaxSessionDuration": 3600,
        "Tags": [{"Key": k, "Value": v} for k, v in TAGS.items()],
        "AttachedPolicyArns": attached,
    }


CONVERGED = {
    "roles": {"data": role("data", "data access", [POLICY_ARN]), "monitoring": role("monitoring", "monitoring", [MONITORING_ARN])},
    "policies": {
        POLICY_ARN: {
            "Arn": POLICY_ARN,
            "DefaultVersionId": "v3",
            "VersionIds": ["v3"],
            "Document": DOCUMENT,
            "Tags": [{"Key": k, "Value": v} for k, v in TAGS.items()],
        }
    },
}


def test_converged_roles_and_policy_are_in_sync():
    assert iam_drift(copy.deepcopy(CONVERGED), DESIRED) == {}


def test_an_empty_account_differs_everywhere():
    assert iam_drift({"roles": {"data": {}, "monitoring": {}}, "policies": {POLICY_ARN: {}}}, DESIRED) == {
        "data_access_policy": "missing",
        "data_access_role": "missing",
        "monitoring_role": "missing",
    }


def _set(*path, value):
    def apply(state):
        target = state
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return apply


WIDER = {**DOCUMENT, "Statement": [{**DOCUMENT["Statement"][0], "Resource": "*"}]}
DRIFTS = {
    "policy document widened": (_set("policies", POLICY_ARN, "Document", value=WIDER), "data_access_policy"),
    "policy with an older version kept": (_set("policies", POLICY_ARN, "VersionIds", value=["v2", "v3"]), "data_access_policy"),
    "policy tag removed": (_set("policies", POLICY_ARN, "Tags", value=[]), "data_access_policy"),
    "role description": (_set("roles", "data", "Description", value="edited"), "data_access_role"),
    "role trusts everyone": (
        _set("roles", "data", "AssumeRolePolicyDocument", value={**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"AWS": "*"}}]}),
        "data_access_role",
    ),
    "role extra policy attached": (
        _set("roles", "data", "AttachedPolicyArns", value=[POLICY_ARN, "arn:aws:iam::aws:policy/AdministratorAccess"]),
        "data_access_role",
    ),
    "role policy detached": (_set("roles", "data", "AttachedPolicyArns", value=[]), "data_access_role"),
    "role longer sessions": (_set("roles", "data", "MaxSessionDuration", value=43200), "data_access_role"),
    "role tag added": (_set("roles", "data", "Tags", value=[{"Key": "Owner", "Value": "x"}, *CONVERGED["roles"]["data"]["Tags"]]), "data_access_role"),
    "monitoring role tag removed": (_set("roles", "monitoring", "Tags", value=[]), "monitoring_role"),
    "monitoring role policy swapped": (_set("roles", "monitoring", "AttachedPolicyArns", value=[POLICY_ARN]), "monitoring_role"),
}


@pytest.mark.parametrize("drift, part", DRIFTS.values(), ids=DRIFTS.keys())
def test_one_changed_setting_makes_its_part_differ(drift, part):
    live = copy.deepcopy(CONVERGED)
    drift(live)
    assert set(iam_drift(live, DESIRED)) == {part}


def test_a_boundary_given_must_be_the_live_one_and_none_given_is_not_compared():
    live = copy.deepcopy(CONVERGED)
    live["roles"]["data"]["PermissionsBoundary"] = {"PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/other"}
    assert iam_drift(live, DESIRED) == {}
    desired = copy.deepcopy(DESIRED)
    desired["data_access_role"]["boundary"] = "arn:aws:iam::111122223333:policy/boundary"
    assert iam_drift(live, desired) == {"data_access_role": "boundary"}


def test_the_instance_profile_must_hold_the_role_and_the_stacks_tags():
    wanted = {
        "profile": {"kind": "instance_profile", "name": "corp-iam-dataaccess-prod", "role": "corp-iam-dataaccess-prod", "tags": {"ManagedBy": "corp.infra"}}
    }
    live = {"Roles": [{"RoleName": "corp-iam-dataaccess-prod"}], "Tags": [{"Key": "ManagedBy", "Value": "corp.infra"}]}
    assert iam_drift({"instance_profiles": {"corp-iam-dataaccess-prod": live}}, wanted) == {}
    assert iam_drift({"instance_profiles": {}}, wanted) == {"profile": "missing"}
    assert iam_drift({"instance_profiles": {"corp-iam-dataaccess-prod": live | {"Roles": []}}}, wanted) == {"profile": "role"}
    assert iam_drift({"instance_profiles": {"corp-iam-dataaccess-prod": live | {"Tags": []}}}, wanted) == {"profile": "tags"}


def test_an_inline_policy_differs_when_missing_or_not_equivalent():
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "rds-db:connect", "Resource": ["arn:aws:rds-db:eu-west-1:1:dbuser:db-A/app"]}],
    }
    wanted = {"db": {"kind": "inline_policy", "role": "corp-iam-dataaccess-prod", "name": "rds-db-connect", "document": document}}
    assert iam_drift({"role_policies": {}}, wanted) == {"db": "missing"}
    # The same statement written differently (one resource as a string) is equivalent; another database's id is not.
    same = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["rds-db:connect"], "Resource": "arn:aws:rds-db:eu-west-1:1:dbuser:db-A/app"}]}
    assert iam_drift({"role_policies": {"corp-iam-dataaccess-prod/rds-db-connect": same}}, wanted) == {}
    other = copy.deepcopy(document)
    other["Statement"][0]["Resource"] = ["arn:aws:rds-db:eu-west-1:1:dbuser:db-B/app"]
    assert iam_drift({"role_policies": {"corp-iam-dataaccess-prod/rds-db-connect": other}}, wanted) == {"db": "document"}


# One row per ROLE_SETTINGS row at least, on the data access role: (the row's key, the live field, its new value).
ROLE_OUT_OF_BAND = {
    "description edited": ("description", "Description", "edited"),
    "tag added": ("tags", "Tags", [{"Key": "Owner", "Value": "x"}, *CONVERGED["roles"]["data"]["Tags"]]),
    "trusts everyone": ("trust_policy", "AssumeRolePolicyDocument", {**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"AWS": "*"}}]}),
    "administrator attached": ("managed_policies", "AttachedPolicyArns", [POLICY_ARN, "arn:aws:iam::aws:policy/AdministratorAccess"]),
    "longer sessions": ("max_session_duration", "MaxSessionDuration", 43200),
    "another boundary": ("boundary", "PermissionsBoundary", {"PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/other"}),
}
BOUNDED = {**DESIRED["data_access_role"], "boundary": "arn:aws:iam::111122223333:policy/boundary"}


@pytest.mark.parametrize(("key", "field", "value"), ROLE_OUT_OF_BAND.values(), ids=ROLE_OUT_OF_BAND.keys())
def test_each_role_setting_changed_alone_is_noticed_by_its_row_only(key, field, value):
    live = copy.deepcopy(CONVERGED["roles"]["data"]) | {"PermissionsBoundary": {"PermissionsBoundaryArn": BOUNDED["boundary"]}}
    assert role_differs(live, BOUNDED) is None
    live[field] = value
    assert ROLE_SETTINGS[key][1] == field
    assert role_differs(live, BOUNDED) == key
    # That row alone: without its key in the desired state, no other row notices the change.
    assert role_differs(live, {k: v for k, v in BOUNDED.items() if k != key}) is None


def test_every_role_setting_has_a_row_and_the_roles_tasks_pass_iam_role_only_what_the_table_compares():
    assert {row[0] for row in ROLE_OUT_OF_BAND.values()} == set(ROLE_SETTINGS)
    modules = {option for option, _field, _compare in ROLE_SETTINGS.values()}
    tasks = [task for path in ("converge.yml",) for task in yaml.safe_load((ROLE / "tasks" / path).read_text()) if "amazon.aws.iam_role" in task]
    assert len(tasks) == 3
    for task in tasks:
        options = task["amazon.aws.iam_role"]
        # Found by its name; instance profiles are their own part, and purge_policies is how managed_policies compares.
        passed = set(options) - {"name", "state", "purge_policies", "create_instance_profile", "delete_instance_profile"}
        assert passed <= modules, passed - modules
        for key, (option, _field, _compare) in ROLE_SETTINGS.items():
            if option in options:
                assert f"__iam_wanted.{key}" in str(options[option]), (option, options[option])


@pytest.mark.parametrize(
    ("settings", "module", "part"),
    [
        (MANAGED_POLICY_SETTINGS, "amazon.aws.iam_managed_policy", "data_access_policy"),
        (INSTANCE_PROFILE_SETTINGS, "amazon.aws.iam_instance_profile", "data_access_instance_profile"),
    ],
)
def test_the_policy_and_profile_tasks_pass_their_module_exactly_what_their_table_compares(settings, module, part):
    (task,) = [task for task in yaml.safe_load((ROLE / "tasks" / "converge.yml").read_text()) if module in task]
    options = task[module]
    # Found by name; the policy's description is fixed at creation (no row), purge_tags is how tags compare.
    passed = set(options) - {"name", "state", "description", "purge_tags"}
    assert passed == {option for option, _field, _compare in settings.values()}
    for key, (option, _field, _compare) in settings.items():
        assert f"__iam_wanted.{key}" in str(options[option]), (option, options[option])
    desired = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
    wanted = (desired.get("__iam_desired_policy") or {}).get(part) or (desired.get("__iam_desired_instance_profile") or {}).get(part)
    assert set(settings) <= set(wanted)


PROFILE = {"InstanceProfileName": "data", "Roles": [{"RoleName": "data"}], "Tags": [{"Key": k, "Value": v} for k, v in TAGS.items()]}
PROFILE_WANTED = {"kind": "instance_profile", "name": "data", "role": "data", "tags": TAGS}
OTHER_OUT_OF_BAND = {
    "policy widened": (managed_policy_differs, "document", lambda live: live.update(Document=WIDER)),
    "policy older version kept": (managed_policy_differs, "only_version", lambda live: live.update(VersionIds=["v2", "v3"])),
    "policy tag removed": (managed_policy_differs, "tags", lambda live: live.update(Tags=[])),
    "profile holds another role": (instance_profile_differs, "role", lambda live: live.update(Roles=[{"RoleName": "other"}])),
    "profile tag added": (instance_profile_differs, "tags", lambda live: live.update(Tags=[*PROFILE["Tags"], {"Key": "Owner", "Value": "x"}])),
}


@pytest.mark.parametrize(("differs", "key", "change"), OTHER_OUT_OF_BAND.values(), ids=OTHER_OUT_OF_BAND.keys())
def test_each_policy_and_profile_setting_changed_alone_is_noticed_by_its_row_only(differs, key, change):
    live, wanted = (
        (copy.deepcopy(CONVERGED["policies"][POLICY_ARN]), DESIRED["data_access_policy"])
        if differs is managed_policy_differs
        else (copy.deepcopy(PROFILE), PROFILE_WANTED)
    )
    assert differs(live, wanted) is None
    change(live)
    assert differs(live, wanted) == key
    assert differs(live, {k: v for k, v in wanted.items() if k != key}) is None


def test_every_policy_and_profile_row_has_an_out_of_band_case():
    cases = {(differs, key) for differs, key, _change in OTHER_OUT_OF_BAND.values()}
    assert cases == {(managed_policy_differs, key) for key in MANAGED_POLICY_SETTINGS} | {(instance_profile_differs, key) for key in INSTANCE_PROFILE_SETTINGS}
