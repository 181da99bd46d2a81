#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: rds_state_info
short_description: Read the rds role's engine version, subnet group, parameter group and instance, in one process
version_added: 1.0.0
description:
  - Reads a PostgreSQL engine version offered in the region, a DB subnet group and a DB parameter group with their
    tags, the given parameters of that group, and a DB instance.
  - The rds role reads them with it once, compares them with what it asks for (the filter
    R(corp.infra.rds_drift,ansible_collections.corp.infra.rds_drift_filter)), and calls
    M(amazon.aws.rds_subnet_group), M(corp.infra.rds_parameter_group) or M(corp.infra.rds_instance) only for
    what differs. Each module call is a process that loads boto3, about half a second whatever it does.
author:
  - Corp Platform Team (@corp-platform)
options:
  engine:
    description: The engine whose version to look up.
    type: str
    default: postgres
  engine_version:
    description: The engine version to look up (DescribeDBEngineVersions).
    type: str
  subnet_group:
    description: The DB subnet group to read.
    type: str
  parameter_group:
    description: The DB parameter group to read.
    type: str
  parameters:
    description: The names of the parameters of O(parameter_group) to return.
    type: list
    elements: str
    default: []
  db_instance_identifier:
    description: The DB instance to read.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - corp.infra.read_only
attributes:
  platform:
    support: full
    platforms: aws
    description: Talks to RDS.
"""

EXAMPLES = r"""
- name: Read the database's pieces once
  corp.infra.rds_state_info:
    engine_version: "17.6"
    subnet_group: corp-rds-main-prod
    parameter_group: corp-rds-main-prod
    parameters: [rds.force_ssl, log_connections]
    db_instance_identifier: corp-rds-main-prod
  register: rds_state
"""

RETURN = r"""
db_engine_versions:
  description: The engine versions that match, as M(amazon.aws.rds_engine_versions_info) returns them.
  returned: always
  type: list
  elements: dict
  sample: [{"engine": "postgres", "engine_version": "17.6", "db_parameter_group_family": "postgres17"}]
subnet_group:
  description: The subnet group (DescribeDBSubnetGroups) with C(Tags) as a dict; empty when it does not exist.
  returned: always
  type: dict
parameter_group:
  description:
    - The parameter group (DescribeDBParameterGroups) with C(Tags) as a dict and C(Parameters), the entries of
      O(parameters) (DescribeDBParameters) by name; empty when it does not exist.
  returned: always
  type: dict
instance:
  description: The instance as DescribeDBInstances returns it; empty when it does not exist.
  returned: always
  type: dict
result:
  description: The instance in M(corp.infra.rds_instance)'s result form (C(exists), C(status), C(endpoint)...).
  returned: always
  type: dict
"""

from functools import partial

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.corp.infra.plugins.module_utils.rds import result_of
from ansible_collections.corp.infra.plugins.module_utils.reads import all_pages
from ansible_collections.corp.infra.plugins.module_utils.reads import concurrently
from ansible_collections.corp.infra.plugins.module_utils.reads import run_reader

ARGUMENT_SPEC = dict(
    engine=dict(type="str", default="postgres"),
    engine_version=dict(type="str"),
    subnet_group=dict(type="str"),
    parameter_group=dict(type="str"),
    parameters=dict(type="list", elements="str", default=[]),
    db_instance_identifier=dict(type="str"),
)
FAILURE = "Failed to read the engine version, subnet group, parameter group and instance"


def tags_of(rds, arn):
    return boto3_tag_list_to_ansible_dict(rds.list_tags_for_resource(aws_retry=True, ResourceName=arn)["TagList"])


def read_subnet_group(rds, name):
    try:
        group = rds.describe_db_subnet_groups(aws_retry=True, DBSubnetGroupName=name.lower())["DBSubnetGroups"][0]
    except is_boto3_error_code("DBSubnetGroupNotFoundFault"):
        return {}
    group["Tags"] = tags_of(rds, group["DBSubnetGroupArn"])
    return group


def read_parameter_group(rds, name, parameters):
    try:
        group = rds.describe_db_parameter_groups(aws_retry=True, DBParameterGroupName=name)["DBParameterGroups"][0]
    except is_boto3_error_code("DBParameterGroupNotFound"):
        return {}
    entries = all_pages(rds, "describe_db_parameters", "Parameters", DBParameterGroupName=name)
    group["Parameters"] = {entry["ParameterName"]: entry for entry in entries if entry["ParameterName"] in parameters}
    group["Tags"] = tags_of(rds, group["DBParameterGroupArn"])
    return group


def read_instance(rds, identifier):
    try:
        return rds.describe_db_instances(aws_retry=True, DBInstanceIdentifier=identifier)["DBInstances"][0]
    except is_boto3_error_code("DBInstanceNotFound"):
        return {}


def read_engine_versions(rds, engine, version):
    versions = all_pages(rds, "describe_db_engine_versions", "DBEngineVersions", Engine=engine, EngineVersion=version)
    return [camel_dict_to_snake_dict(v) for v in versions]


def read(params, aws):
    rds = aws.client("rds", retry_decorator=AWSRetry.jittered_backoff())
    # The engine versions, the two groups and the instance side by side.
    reads = {
        "db_engine_versions": (params["engine_version"], partial(read_engine_versions, rds, params["engine"], params["engine_version"]), []),
        "subnet_group": (params["subnet_group"], partial(read_subnet_group, rds, params["subnet_group"]), {}),
        "parameter_group": (params["parameter_group"], partial(read_parameter_group, rds, params["parameter_group"], params["parameters"]), {}),
        "instance": (params["db_instance_identifier"], partial(read_instance, rds, params["db_instance_identifier"]), {}),
    }
    state = {key: empty for key, (asked, _read, empty) in reads.items() if not asked}
    state.update(concurrently({key: call for key, (asked, call, _empty) in reads.items() if asked}))
    state["result"] = result_of(state["instance"])
    return state


def main():
    run_reader(ARGUMENT_SPEC, read, FAILURE)


if __name__ == "__main__":
    main()
