#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: s3_bucket_eventbridge
short_description: Send an S3 bucket's events to Amazon EventBridge, or stop sending them
version_added: 1.0.0
description:
  - Turns the bucket's delivery of event notifications to EventBridge on or off. This is the
    C(EventBridgeConfiguration) of the bucket's notification configuration. EventBridge then receives every S3 event
    of the bucket, and rules in the account decide what to do with them.
  - The bucket's other notification destinations (SNS topics, SQS queues, Lambda functions) are kept.
    PutBucketNotificationConfiguration replaces the whole configuration, so the module writes back what it read,
    with only EventBridge changed.
  - M(amazon.aws.s3_bucket) has no notification options, and M(community.aws.s3_bucket_notification) manages Lambda,
    SNS and SQS destinations only.
author:
  - Corp Platform Team (@corp-platform)
options:
  bucket:
    description: The general purpose bucket.
    type: str
    required: true
  enabled:
    description: Whether the bucket sends its events to EventBridge.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads the configuration and reports what it would change.
  diff_mode:
    support: full
    description: Whether events go to EventBridge, before and after.
  platform:
    support: full
    platforms: aws
    description: Talks to S3.
notes:
  - "IAM actions: C(s3:GetBucketNotification), C(s3:PutBucketNotification)."
  - A missing bucket is an error. In check mode it is reported as a change, since the bucket may be created earlier
    in the same run.
seealso:
  - name: Using EventBridge
    description: AWS S3 User Guide.
    link: https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html
  - module: community.aws.s3_bucket_notification
"""

EXAMPLES = r"""
- name: Send the data bucket's events to EventBridge
  corp.infra.s3_bucket_eventbridge:
    bucket: corp-s3-securedata-prod

- name: Stop sending them
  corp.infra.s3_bucket_eventbridge:
    bucket: corp-s3-securedata-prod
    enabled: false
"""

RETURN = r"""
enabled:
  description: Whether the bucket sends its events to EventBridge after the run (predicted in check mode).
  returned: always
  type: bool
  sample: true
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# The parts of a notification configuration PutBucketNotificationConfiguration takes back.
DESTINATIONS = ("TopicConfigurations", "QueueConfigurations", "LambdaFunctionConfigurations", "EventBridgeConfiguration")


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(bucket=dict(type="str", required=True), enabled=dict(type="bool", default=True)),
        supports_check_mode=True,
    )
    bucket, wanted = module.params["bucket"], module.params["enabled"]
    s3 = module.client("s3", retry_decorator=AWSRetry.jittered_backoff(catch_extra_error_codes=["OperationAborted"]))
    try:
        current = s3.get_bucket_notification_configuration(aws_retry=True, Bucket=bucket)
    except is_boto3_error_code("NoSuchBucket"):
        if module.check_mode:
            module.exit_json(changed=wanted, enabled=wanted, diff={"before": {"enabled": False}, "after": {"enabled": wanted}})
        module.fail_json(msg=f"bucket {bucket} does not exist: create it before its event notifications")
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to read the notification configuration of {bucket}")
    enabled = "EventBridgeConfiguration" in current
    diff = {"before": {"enabled": enabled}, "after": {"enabled": wanted}}
    if enabled == wanted:
        module.exit_json(changed=False, enabled=enabled, diff=diff)
    configuration = {key: current[key] for key in DESTINATIONS if key in current and key != "EventBridgeConfiguration"}
    if wanted:
        configuration["EventBridgeConfiguration"] = {}
    if not module.check_mode:
        try:
            # The other destinations go back unchanged: S3 need not test them again, and one whose permissions broke
            # since must not block this change.
            s3.put_bucket_notification_configuration(aws_retry=True, Bucket=bucket, NotificationConfiguration=configuration, SkipDestinationValidation=True)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            module.fail_json_aws(e, msg=f"Failed to set the notification configuration of {bucket}")
    module.exit_json(changed=True, enabled=wanted, diff=diff)


if __name__ == "__main__":
    main()
