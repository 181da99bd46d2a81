#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: backup_vault_lock
short_description: Lock an AWS Backup vault's retention (AWS Backup Vault Lock), or unlock it while AWS allows
version_added: 1.0.0
description:
  - Sets the vault's lock configuration, the minimum and maximum retention every backup and copy job into the vault
    must keep, in governance mode (O(changeable_for_days) unset) or compliance mode.
  - Governance mode can be changed or removed later by a principal allowed C(backup:PutBackupVaultLockConfiguration) or
    C(backup:DeleteBackupVaultLockConfiguration). Compliance mode becomes immutable O(changeable_for_days) days after it is set
    (the lock date); from then on the module refuses any change with an error naming the lock date, and the
    vault cannot be deleted until its recovery points expire.
  - M(amazon.aws.backup_vault) creates the vault but has no lock options.
author:
  - Corp Platform Team (@corp-platform)
options:
  vault_name:
    description: The backup vault.
    type: str
    required: true
  state:
    description: V(present) locks the vault as the options say; V(absent) removes the lock (governance mode, or compliance mode
      before its lock date).
    type: str
    choices: [present, absent]
    default: present
  min_retention_days:
    description: The shortest retention a job into the vault may have. Required with O(state=present).
    type: int
  max_retention_days:
    description: The longest retention a job into the vault may have. Required with O(state=present).
    type: int
  changeable_for_days:
    description:
      - Compliance mode, immutable after this many days (at least 3, AWS's cooling-off time). Unset, governance mode.
    type: int
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads the vault and reports what it would change.
  diff_mode:
    support: full
    description: The lock (locked, retention bounds, mode) before and after.
  platform:
    support: full
    platforms: aws
    description: Talks to AWS Backup.
notes:
  - "IAM actions: C(backup:DescribeBackupVault), C(backup:PutBackupVaultLockConfiguration),
    C(backup:DeleteBackupVaultLockConfiguration)."
  - AWS does not return C(ChangeableForDays); a compliance-mode lock is recognised by its lock date, and a change of
    O(changeable_for_days) alone is not detected.
  - A missing vault is an error. In check mode it is reported as a change, since the vault may be created earlier
    in the same run.
seealso:
  - name: AWS Backup Vault Lock
    description: AWS Backup Developer Guide.
    link: https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html
  - module: amazon.aws.backup_vault
"""

EXAMPLES = r"""
- name: Keep every recovery point of the prod vault 7 to 365 days (governance mode)
  corp.infra.backup_vault_lock:
    vault_name: corp-backup-data-prod
    min_retention_days: 7
    max_retention_days: 365

- name: The same in compliance mode, immutable after 3 days
  corp.infra.backup_vault_lock:
    vault_name: corp-backup-data-prod
    min_retention_days: 7
    max_retention_days: 365
    changeable_for_days: 3

- name: Remove a governance-mode lock
  corp.infra.backup_vault_lock:
    vault_name: corp-backup-data-dev
    state: absent
"""

RETURN = r"""
lock:
  description: The vault's lock after the run (predicted in check mode).
  returned: always
  type: dict
  contains:
    locked:
      description: Whether the vault is locked.
      type: bool
      sample: true
    min_retention_days:
      description: The minimum retention.
      type: int
      sample: 7
    max_retention_days:
      description: The maximum retention.
      type: int
      sample: 365
    mode:
      description: V(none), V(governance) or V(compliance).
      type: str
      sample: governance
    lock_date:
      description: When a compliance-mode lock becomes immutable (ISO 8601), or null.
      type: str
      sample: null
    immutable:
      description: Whether the lock can no longer change (compliance mode past its lock date).
      type: bool
      sample: false
differences:
  description: The fields that differed before the run.
  returned: always
  type: list
  elements: str
  sample: [min_retention_days]
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.corp.infra.plugins.module_utils.backup import lock_differences
from ansible_collections.corp.infra.plugins.module_utils.backup import lock_state
from ansible_collections.corp.infra.plugins.module_utils.backup import lock_wanted

SHOWN = ("locked", "min_retention_days", "max_retention_days", "mode")


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            vault_name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            min_retention_days=dict(type="int"),
            max_retention_days=dict(type="int"),
            changeable_for_days=dict(type="int"),
        ),
        required_if=[("state", "present", ["min_retention_days", "max_retention_days"])],
        supports_check_mode=True,
    )
    params = module.params
    name = params["vault_name"]
    if params["state"] == "present":
        try:
            wanted = lock_wanted(params["min_retention_days"], params["max_retention_days"], params["changeable_for_days"])
        except ValueError as e:
            module.fail_json(msg=str(e))
    else:
        wanted = {"locked": False, "min_retention_days": None, "max_retention_days": None, "mode": "none"}

    client = module.client("backup", retry_decorator=AWSRetry.jittered_backoff())
    try:
        vault = client.describe_backup_vault(aws_retry=True, BackupVaultName=name)
    except is_boto3_error_code(["ResourceNotFoundException", "AccessDeniedException"]) as e:
        # AWS answers AccessDeniedException for a vault name it does not know in some regions.
        if module.check_mode:
            before = lock_state({})
            module.exit_json(
                changed=wanted["locked"],
                lock=wanted,
                differences=lock_differences(before, wanted),
                diff={"before": {k: before[k] for k in SHOWN}, "after": {k: wanted[k] for k in SHOWN}},
            )
        module.fail_json_aws(e, msg=f"vault_name: backup vault {name} does not exist; create it before its lock")
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to read backup vault {name}")

    live = lock_state(vault)
    differences = lock_differences(live, wanted)
    diff = {"before": {k: live[k] for k in SHOWN}, "after": {k: wanted[k] for k in SHOWN}}
    if not differences:
        module.exit_json(changed=False, lock=live, differences=[], diff=diff)
    if live["immutable"]:
        module.fail_json(
            msg=f"backup vault {name} has a compliance-mode lock that became immutable on {live['lock_date']}; "
            f"it cannot change ({', '.join(differences)} differ): set the role's lock variables to the vault's",
            lock=live,
            differences=differences,
        )
    if not module.check_mode:
        try:
            if wanted["locked"]:
                request = dict(BackupVaultName=name, MinRetentionDays=wanted["min_retention_days"], MaxRetentionDays=wanted["max_retention_days"])
                if params["changeable_for_days"]:
                    request["ChangeableForDays"] = params["changeable_for_days"]
                client.put_backup_vault_lock_configuration(aws_retry=True, **request)
            else:
                client.delete_backup_vault_lock_configuration(aws_retry=True, BackupVaultName=name)
            after = lock_state(client.describe_backup_vault(aws_retry=True, BackupVaultName=name))
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            module.fail_json_aws(e, msg=f"Failed to set the lock of backup vault {name}")
    else:
        after = {**wanted, "lock_date": None, "immutable": False}
    module.exit_json(changed=True, lock=after, differences=differences, diff=diff)


if __name__ == "__main__":
    main()
