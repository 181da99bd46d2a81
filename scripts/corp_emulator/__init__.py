"""corp.infra's local AWS emulator: a moto server with request counting and response shims.

The playbooks never know they talk to it: botocore routes every client to it through the standard
``AWS_ENDPOINT_URL`` variable (or the ``local`` inventory's ``corp_aws_endpoint_url``).
"""
