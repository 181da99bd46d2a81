#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: s3_bucket_abac
short_description: Turn attribute-based access control (ABAC) on or off for an S3 general purpose bucket, and manage its tags the way ABAC requires
version_added: 1.0.0
description:
  - Sets the bucket's ABAC status (PutBucketAbac). With ABAC on, S3 evaluates C(aws:ResourceTag/<key>)
    conditions on the bucket in IAM and bucket policies; with it off, bucket tags serve cost allocation only.
  - Manages the bucket's tags through the S3 Control TagResource and UntagResource APIs. Once ABAC is on,
    PutBucketTagging and DeleteBucketTagging no longer work (so M(amazon.aws.s3_bucket) must not be given
    O(tags) for such a bucket); the S3 Control APIs work either way.
  - Tags are written before ABAC is switched on, so the first request evaluated under ABAC sees them.
  - M(amazon.aws.s3_bucket) has no ABAC option; this module completes it and does not create the bucket.
author:
  - Corp Platform Team (@corp-platform)
options:
  bucket:
    description: The general purpose bucket.
    type: str
    required: true
  abac:
    description:
      - Whether ABAC is on.
      - Turning it off does not remove tags.
    type: bool
    required: true
  tags:
    description:
      - The bucket's tags, written with S3 Control TagResource.
      - Omit to leave the tags alone.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove tags that are not in O(tags) (never C(aws:) tags).
      - Ignored when O(tags) is omitted.
    type: bool
    default: true
  account_id:
    description:
      - The bucket owner's account, which S3 Control requires with every call.
      - Looked up with STS GetCallerIdentity when omitted.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads the status and tags, and reports what it would change.
  diff_mode:
    support: full
    description: The ABAC status and tags before and after.
  platform:
    support: full
    platforms: aws
    description: Talks to the S3 and S3 Control APIs.
notes:
  - "IAM actions: C(s3:GetBucketAbac), C(s3:PutBucketAbac), and with O(tags) C(s3:ListTagsForResource),
    C(s3:TagResource), C(s3:UntagResource). With ABAC on, C(s3:TagResource) decides who gets access: grant it
    as narrowly as the access it confers."
  - A missing bucket is an error when O(abac=true) (in check mode it is reported as a change, since the bucket
    may be created earlier in the same run), and nothing to do when O(abac=false).
seealso:
  - name: Enabling ABAC in general purpose buckets
    description: AWS S3 User Guide.
    link: https://docs.aws.amazon.com/AmazonS3/latest/userguide/buckets-tagging-enable-abac.html
  - module: amazon.aws.s3_bucket
"""

EXAMPLES = r"""
- name: Let bucket policies and IAM policies condition access on the data bucket's tags
  corp.infra.s3_bucket_abac:
    bucket: corp-s3-securedata-prod
    abac: true
    account_id: "123456789012"
    tags:
      Environment: prod
      DataClassification: confidential

- name: Back to tags for cost allocation only (tags kept)
  corp.infra.s3_bucket_abac:
    bucket: corp-s3-securedata-prod
    abac: false
"""

RETURN = r"""
exists:
  description: Whether the bucket exists.
  returned: always
  type: bool
  sample: true
abac_status:
  description: The ABAC status after the run (predicted in check mode).
  returned: always
  type: str
  sample: Enabled
tags:
  description: The bucket's tags after the run (predicted in check mode). Returned when O(tags) is given.
  returned: when O(tags) is given
  type: dict
  sample: {"Environment": "prod"}
"""

try:
    import boto3
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.iam import get_aws_account_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.corp.infra.plugins.module_utils.s3_abac import plan
from ansible_collections.corp.infra.plugins.module_utils.s3_abac import status_of


def bucket_arn(module, bucket):
    partition = boto3.session.Session().get_partition_for_region(module.region or "us-east-1")
    return f"arn:{partition}:s3:::{bucket}"


def read_status(s3, bucket):
    """The ABAC status, or None when the bucket does not exist."""
    try:
        return status_of(s3.get_bucket_abac(aws_retry=True, Bucket=bucket))
    except is_boto3_error_code("NoSuchBucket"):
        return None


def apply(s3, s3control, bucket, arn, account_id, steps):
    for step, value in steps:
        if step == "tag":
            s3control.tag_resource(aws_retry=True, AccountId=account_id, ResourceArn=arn, Tags=ansible_dict_to_boto3_tag_list(value))
        elif step == "untag":
            s3control.untag_resource(aws_retry=True, AccountId=account_id, ResourceArn=arn, TagKeys=value)
        else:
            s3.put_bucket_abac(aws_retry=True, Bucket=bucket, AbacStatus={"Status": value})


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            bucket=dict(type="str", required=True),
            abac=dict(type="bool", required=True),
            tags=dict(type="dict", aliases=["resource_tags"]),
            purge_tags=dict(type="bool", default=True),
            account_id=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    bucket, abac, tags = module.params["bucket"], module.params["abac"], module.params["tags"]
    retry = AWSRetry.jittered_backoff(catch_extra_error_codes=["OperationAborted"])
    s3 = module.client("s3", retry_decorator=retry)

    try:
        current_status = read_status(s3, bucket)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Failed to read the ABAC status of bucket {bucket}")

    if current_status is None:
        if abac and not module.check_mode:
            module.fail_json(msg=f"bucket {bucket} does not exist: create it (amazon.aws.s3_bucket) before turning ABAC on")
        result = dict(changed=bool(abac), exists=False, abac_status="Enabled" if abac else "Disabled")
        if tags is not None:
            result["tags"] = {str(k): str(v) for k, v in tags.items()}
        if module._diff and abac:
            result["diff"] = dict(before={}, after={k: result[k] for k in ("abac_status", "tags") if k in result})
        module.exit_json(**result)

    s3control = None
    arn = bucket_arn(module, bucket)
    account_id = module.params["account_id"]
    current_tags = {}
    if tags is not None:
        account_id = account_id or get_aws_account_info(module)[0]
        s3control = module.client("s3control", retry_decorator=retry)
        try:
            current_tags = boto3_tag_list_to_ansible_dict(
                s3control.list_tags_for_resource(aws_retry=True, AccountId=account_id, ResourceArn=arn).get("Tags", [])
            )
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            module.fail_json_aws(e, msg=f"Failed to list the tags of bucket {bucket} (S3 Control ListTagsForResource)")

    changes = plan(current_status, current_tags, abac, tags, module.params["purge_tags"])
    if changes["steps"] and not module.check_mode:
        try:
            apply(s3, s3control, bucket, arn, account_id, changes["steps"])
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            module.fail_json_aws(e, msg=f"Failed to update ABAC or tags of bucket {bucket}")

    result = dict(changed=bool(changes["steps"]), exists=True, abac_status=changes["after"]["abac_status"])
    if tags is not None:
        result["tags"] = changes["after"]["tags"]
    if module._diff:
        keys = ("abac_status", "tags") if tags is not None else ("abac_status",)
        result["diff"] = dict(before={k: changes["before"][k] for k in keys}, after={k: changes["after"][k] for k in keys})
    module.exit_json(**result)


if __name__ == "__main__":
    main()
