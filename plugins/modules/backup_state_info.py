#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: backup_state_info
short_description: Read an AWS Backup vault, its lock, a backup plan and its selection by name, in one process
version_added: 1.0.0
description:
  - Reads a backup vault (DescribeBackupVault, with its tags), a backup plan found by name among the account's plans
    (GetBackupPlan, with its tags), and the plan's selection of a given name (GetBackupSelection).
  - The backup role reads its vault, plan and selection with it once, compares them with what it asks for (the filter
    R(corp.infra.backup_drift,ansible_collections.corp.infra.backup_drift_filter)), and calls M(amazon.aws.backup_vault),
    M(corp.infra.backup_vault_lock), M(amazon.aws.backup_plan) or M(amazon.aws.backup_selection) only for what differs.
author:
  - Corp Platform Team (@corp-platform)
options:
  vault_name:
    description: The backup vault to read.
    type: str
    required: true
  plan_name:
    description: The backup plan to read.
    type: str
    required: true
  selection_name:
    description: The selection of the plan to read.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - corp.infra.read_only
attributes:
  platform:
    support: full
    platforms: aws
    description: Talks to AWS Backup.
"""

EXAMPLES = r"""
- name: Read the prod vault, plan and selection once
  corp.infra.backup_state_info:
    vault_name: corp-backup-data-prod
    plan_name: corp-backup-data-prod
    selection_name: corp-backup-data-prod
  register: backup_state
"""

RETURN = r"""
vault:
  description: The vault as DescribeBackupVault returns it, with C(Tags) (ListTags) added; an empty dict when it does not exist.
  returned: always
  type: dict
plan:
  description:
    - The plan as GetBackupPlan returns it (C(BackupPlan) holds the name and rules), with C(Tags) added; an empty dict
      when no plan has that name.
  returned: always
  type: dict
selection:
  description: The selection as GetBackupSelection returns it (C(BackupSelection) holds the document); an empty dict when the plan has none of that name.
  returned: always
  type: dict
selections:
  description:
    - Every selection of the plan, as GetBackupSelection returns each (the compliance report judges coverage by all of
      them); empty when there is no plan.
  returned: always
  type: list
  elements: dict
"""

from functools import partial

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.corp.infra.plugins.module_utils.backup_reads import read_plan
from ansible_collections.corp.infra.plugins.module_utils.backup_reads import read_selections
from ansible_collections.corp.infra.plugins.module_utils.backup_reads import read_vault
from ansible_collections.corp.infra.plugins.module_utils.reads import concurrently
from ansible_collections.corp.infra.plugins.module_utils.reads import run_reader

ARGUMENT_SPEC = dict(
    vault_name=dict(type="str", required=True),
    plan_name=dict(type="str", required=True),
    selection_name=dict(type="str", required=True),
)
FAILURE = "Failed to read the backup vault {vault_name} and plan {plan_name}"


def read(params, aws):
    backup = aws.client("backup", retry_decorator=AWSRetry.jittered_backoff())
    found = concurrently({"vault": partial(read_vault, backup, params["vault_name"]), "plan": partial(read_plan, backup, params["plan_name"])})
    selections = read_selections(backup, found["plan"]["BackupPlanId"]) if found["plan"] else []
    named = [s for s in selections if (s.get("BackupSelection") or {}).get("SelectionName") == params["selection_name"]]
    return {**found, "selection": named[0] if named else {}, "selections": selections}


def main():
    run_reader(ARGUMENT_SPEC, read, FAILURE)


if __name__ == "__main__":
    main()
