#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: document_diff
short_description: Show how a document (a policy, a settings dict) would change, as the task's diff
version_added: 1.0.0
description:
  - Returns O(before) and O(after) as the task's C(diff), the way amazon.aws modules return theirs, so
    C(--diff) prints a unified diff of the two (ansible-core renders each side as JSON with sorted keys).
  - Reports C(changed) when the two differ. Changes nothing, makes no AWS request; an action plugin runs it on
    the controller without a module process.
  - Replaces C(ansible.utils.fact_diff) for corp.infra, which needed the ansible.utils collection and its Python
    requirements for this one use.
author:
  - Corp Platform Team (@corp-platform)
options:
  before:
    description: The document as it is (V({}) when it does not exist yet).
    type: raw
    required: true
  after:
    description: The document as it should be.
    type: raw
    required: true
  name:
    description:
      - "What the documents are, for the diff's headers (C(--- before: <name>), C(+++ after: <name>))."
    type: str
attributes:
  check_mode:
    support: full
    description: Computes the same diff; it changes nothing in any mode.
  diff_mode:
    support: full
    description: The diff is the module's whole output. Set the task's C(diff) keyword to show it without C(--diff).
  platform:
    support: full
    platforms: all
    description: Pure computation, no AWS request.
"""

EXAMPLES = r"""
- name: Show how the data access policy document changes
  corp.infra.document_diff:
    before: "{{ live_policy_document | default({}) }}"
    after: "{{ wanted_policy_document }}"
    name: corp-iam-dataaccess-prod
  when: ansible_check_mode or ansible_diff_mode
"""

RETURN = r"""
changed:
  description: Whether O(before) and O(after) differ.
  returned: always
  type: bool
  sample: true
diff:
  description: The two documents, for ansible-core's diff output.
  returned: always
  type: dict
  sample:
    before: {Version: "2012-10-17", Statement: []}
    after: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::corp-s3-securedata-prod/*"}]}
    before_header: corp-iam-dataaccess-prod
    after_header: corp-iam-dataaccess-prod
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.corp.infra.plugins.module_utils.document_diff import ARGUMENT_SPEC
from ansible_collections.corp.infra.plugins.module_utils.document_diff import document_diff


def main():
    module = AnsibleModule(**ARGUMENT_SPEC, supports_check_mode=True)
    module.exit_json(**document_diff(module.params))


if __name__ == "__main__":
    main()
