#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The work is done by the action plugin of the same name (plugins/action/preflight.py) on the controller.

from __future__ import annotations

DOCUMENTATION = r"""
module: preflight
short_description: Check every corp.infra stack input before any AWS request
version_added: 1.0.0
description:
  - Reads the stack's variables (names starting with C(corp_), C(network_), C(s3_), C(iam_), C(rds_),
    C(dynamodb_), C(preflight_) or C(outputs_)) and checks the rules an argument spec cannot express.
  - Fails with one line listing every problem, each naming the variable and the rule.
  - Runs on the controller only; it makes no AWS request and needs no credentials.
  - Rules include lowercase name tokens and service naming limits, a known region, no database password
    (the master password is AWS-managed), KMS key ARNs instead of aliases, no wildcard resources, principals
    or actions in user policy statements, condition keys only on actions that support them, private CIDRs
    for database ingress, subnets inside the VPC and not overlapping, two or more AZs, an engine version at
    or above the minimum, and production retention, monitoring and protection settings.
  - See the collection's C(docs/preflight.md) for the full list.
author:
  - Corp Platform Team (@corp-platform)
options:
  inputs:
    description:
      - Variables to check, as a mapping of name to value.
      - When omitted, every stack variable visible to the task is checked.
    type: dict
attributes:
  check_mode:
    support: full
    description: Makes no change in any mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is nothing to diff.
  platform:
    support: full
    platforms: all
    description: Runs on the controller; no AWS request, no connection to the host.
"""

EXAMPLES = r"""
- name: Check the stack inputs before any AWS call
  corp.infra.preflight:

- name: Check a given set of inputs
  corp.infra.preflight:
    inputs:
      corp_environment: prod
      corp_region: ap-south-1
      rds_kms_key_arn: arn:aws:kms:ap-south-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
"""

RETURN = r"""
problems:
  description: One line per broken rule, naming the variable and the rule.
  returned: always
  type: list
  elements: str
  sample: ["corp_environment: must be 1-16 lowercase letters and digits, starting with a letter (got 'Prod')"]
checked:
  description: The names of the variables that were checked.
  returned: success
  type: list
  elements: str
  sample: ["corp_environment", "corp_region"]
"""
