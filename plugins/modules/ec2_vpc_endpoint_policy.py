#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ec2_vpc_endpoint_policy
short_description: Set the policy of an existing VPC endpoint
version_added: 1.0.0
description:
  - Replaces the policy of an existing VPC endpoint (ModifyVpcEndpoint C(PolicyDocument)) when it differs from
    O(policy), compared as IAM compares documents (M(amazon.aws.ec2_vpc_endpoint)'s own C(compare_policies)).
  - M(amazon.aws.ec2_vpc_endpoint) sets a policy only when it creates an endpoint; on an existing one it manages
    tags only, so an endpoint created with AWS's default full-access policy keeps it. This module completes it
    and creates nothing.
author:
  - Corp Platform Team (@corp-platform)
options:
  vpc_endpoint_id:
    description: The endpoint.
    type: str
    required: true
  policy:
    description: The policy document, as a mapping or JSON.
    type: json
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads the endpoint and reports whether it would change its policy.
  diff_mode:
    support: full
    description: The policy before and after.
  platform:
    support: full
    platforms: aws
    description: Talks to the EC2 API.
notes:
  - "IAM actions: C(ec2:DescribeVpcEndpoints), C(ec2:ModifyVpcEndpoint)."
seealso:
  - name: Control access to VPC endpoints using endpoint policies
    description: Amazon VPC User Guide.
    link: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
  - module: amazon.aws.ec2_vpc_endpoint
"""

EXAMPLES = r"""
- name: Only the stack's bucket, from this account, through the S3 gateway endpoint
  corp.infra.ec2_vpc_endpoint_policy:
    vpc_endpoint_id: vpce-0123456789abcdef0
    policy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: "*"
          Action: [s3:GetObject, s3:PutObject]
          Resource: arn:aws:s3:::corp-s3-securedata-prod/*
          Condition:
            StringEquals:
              aws:PrincipalAccount: "123456789012"
"""

RETURN = r"""
policy:
  description: The endpoint's policy after the run (the one asked for in check mode).
  returned: always
  type: dict
  sample: {"Version": "2012-10-17", "Statement": []}
"""

import json

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_vpc_endpoints
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(vpc_endpoint_id=dict(type="str", required=True), policy=dict(type="json", required=True)),
        supports_check_mode=True,
    )
    endpoint_id = module.params["vpc_endpoint_id"]
    wanted = json.loads(module.params["policy"])
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    try:
        found = describe_vpc_endpoints(client, VpcEndpointIds=[endpoint_id])
    except AnsibleEC2Error as e:
        module.fail_json_aws_error(e)
    if not found:
        module.fail_json(msg=f"VPC endpoint {endpoint_id} does not exist: create it (amazon.aws.ec2_vpc_endpoint) first")
    document = found[0].get("PolicyDocument")
    current = json.loads(document) if isinstance(document, str) and document else (document or {})
    changed = compare_policies(current, wanted)
    if changed and not module.check_mode:
        try:
            client.modify_vpc_endpoint(aws_retry=True, VpcEndpointId=endpoint_id, PolicyDocument=json.dumps(wanted))
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            module.fail_json_aws(e, msg=f"Failed to set the policy of VPC endpoint {endpoint_id}")
    result = dict(changed=changed, policy=wanted if changed else current)
    if module._diff:
        result["diff"] = dict(before=current, after=wanted)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
