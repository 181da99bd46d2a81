#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: s3_bucket_contents_info
short_description: Tell whether a bucket holds anything, including old versions and delete markers
version_added: 1.0.0
description:
  - Reports whether a bucket holds any object version or delete marker (ListObjectVersions, one key).
  - A versioned bucket whose current objects are all deleted still holds versions and cannot be deleted
    without them; listing current objects (M(amazon.aws.s3_object) C(mode=list)) does not see them.
  - The s3 role uses it to refuse a destroy before anything is deleted.
author:
  - Corp Platform Team (@corp-platform)
options:
  bucket:
    description: The bucket.
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
    description: Talks to the S3 API.
"""

EXAMPLES = r"""
- name: Look for anything left in the data bucket
  corp.infra.s3_bucket_contents_info:
    bucket: corp-s3-securedata-prod
  register: contents
"""

RETURN = r"""
exists:
  description: Whether the bucket exists.
  returned: always
  type: bool
  sample: true
has_contents:
  description: Whether the bucket holds at least one object version or delete marker.
  returned: always
  type: bool
  sample: false
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.corp.infra.plugins.module_utils.reads import run_reader

ARGUMENT_SPEC = dict(bucket=dict(type="str", required=True))
FAILURE = "Failed to list the bucket's object versions"


def bucket_contents(client, bucket):
    """(exists, has_contents) for ``bucket``."""
    try:
        page = client.list_object_versions(aws_retry=True, Bucket=bucket, MaxKeys=1)
    except is_boto3_error_code("NoSuchBucket"):
        return False, False
    return True, bool(page.get("Versions") or page.get("DeleteMarkers"))


def read(params, aws):
    exists, has_contents = bucket_contents(aws.client("s3", retry_decorator=AWSRetry.jittered_backoff()), params["bucket"])
    return {"exists": exists, "has_contents": has_contents}


def main():
    run_reader(ARGUMENT_SPEC, read, FAILURE)


if __name__ == "__main__":
    main()
