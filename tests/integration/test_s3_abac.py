"""S3 ABAC on the data bucket, through the s3 role on the emulator: check -> apply -> check -> apply, then off."""

from .conftest import ansible_playbook
from .conftest import changed

ENVIRONMENT = "abactest"
PLAYBOOK = "tests/integration/playbooks/s3.yml"
BUCKET = f"corp-s3-securedata-{ENVIRONMENT}"


def test_abac_tags_through_s3_control_before_it_is_on_and_switches_off(emulator):
    s3 = emulator.client("s3")

    def run(*extra, check=True):
        return ansible_playbook(
            emulator, PLAYBOOK, "-i", "inventories/local", "-e", f"corp_environment={ENVIRONMENT}", "-e", "s3_access_logging=false", *extra, check=check
        )

    first = run("-e", "s3_abac=true", "--check", "--diff")
    assert changed(first) > 0 and '"abac_status": "Enabled"' in first.stdout
    assert changed(run("-e", "s3_abac=true")) > 0
    assert s3.get_bucket_abac(Bucket=BUCKET)["AbacStatus"]["Status"] == "Enabled"
    # Written through S3 Control TagResource: the emulator, like AWS, refuses PutBucketTagging once ABAC is on.
    assert {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"]} == {"Environment": ENVIRONMENT, "ManagedBy": "corp.infra"}
    assert changed(run("-e", "s3_abac=true", "--check", "--diff")) == 0
    assert changed(run("-e", "s3_abac=true")) == 0
    # ABAC turned off out of band, with nothing else different: a run turns it back on.
    s3.put_bucket_abac(Bucket=BUCKET, AbacStatus={"Status": "Disabled"})
    assert changed(run("-e", "s3_abac=true")) == 1
    assert s3.get_bucket_abac(Bucket=BUCKET)["AbacStatus"]["Status"] == "Enabled"

    # s3_abac back to false: check mode reports the switch, a normal run makes it, the tags stay.
    off = run("--check", "--diff")
    assert changed(off) == 1 and '-    "abac_status": "Enabled"' in off.stdout
    assert changed(run()) == 1
    assert s3.get_bucket_abac(Bucket=BUCKET)["AbacStatus"]["Status"] == "Disabled"
    assert {t["Key"] for t in s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"]} == {"Environment", "ManagedBy"}
    assert changed(run()) == 0

    assert run("-e", "s3_state=absent", "-e", f"corp_destroy_confirmation={ENVIRONMENT}").returncode == 0
    assert BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
