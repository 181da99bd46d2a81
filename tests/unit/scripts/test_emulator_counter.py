"""The request counter names each AWS request and hands the body on untouched."""

import json

from werkzeug.test import Client
from werkzeug.wrappers import Response

from corp_emulator.counter import RequestCounter

AUTH = "AWS4-HMAC-SHA256 Credential=testing/20261127/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=x"


def _app():
    seen = []

    def app(environ, start_response):
        seen.append(environ["wsgi.input"].read())
        return Response("ok")(environ, start_response)

    return RequestCounter(app), seen


def test_counts_query_json_and_rest_requests_by_service_and_action():
    counter, seen = _app()
    client = Client(counter)
    form = "application/x-www-form-urlencoded"
    client.post("/", data="Action=DescribeVpcs&Version=2016-11-15", content_type=form, headers={"Authorization": AUTH.format(service="ec2")})
    client.post("/", data="{}", headers={"Authorization": AUTH.format(service="dynamodb"), "X-Amz-Target": "DynamoDB_20120810.DescribeTable"})
    client.put("/corp-s3-securedata-local", headers={"Authorization": AUTH.format(service="s3")})
    counts = json.loads(client.get("/_corp/requests").data)
    assert counts == {"total": 3, "by_action": {"dynamodb:DescribeTable": 1, "ec2:DescribeVpcs": 1, "s3:PUT": 1}}
    assert seen[0] == b"Action=DescribeVpcs&Version=2016-11-15"


def test_reset_health_and_moto_api_are_not_counted():
    counter = _app()[0]
    client = Client(counter)
    assert json.loads(client.get("/_corp/health").data) == {"status": "ok"}
    client.get("/moto-api/data.json")
    client.post("/", data="Action=ListRoles", content_type="application/x-www-form-urlencoded", headers={"Authorization": AUTH.format(service="iam")})
    assert json.loads(client.get("/_corp/requests").data)["total"] == 1
    assert json.loads(client.delete("/_corp/requests").data)["total"] == 0
    assert json.loads(client.get("/_corp/requests").data)["total"] == 0


def test_the_state_rehearsal_is_switched_on_and_off_at_run_time(monkeypatch):
    from corp_emulator import shims

    monkeypatch.setattr(shims, "STATE_SETTINGS", {"rds_describes": 0})
    monkeypatch.setattr(shims, "STATE_ANSWERS", {"creating": 1})
    client = Client(_app()[0])
    assert json.loads(client.post("/_corp/states?rds_describes=2&unknown=5").data) == {"settings": {"rds_describes": 2}, "answers": {"creating": 1}}
    assert json.loads(client.get("/_corp/states").data)["settings"] == {"rds_describes": 2}
    assert json.loads(client.delete("/_corp/states").data) == {"settings": {"rds_describes": 0}, "answers": {}}
    assert json.loads(client.get("/_corp/requests").data)["total"] == 0  # not an AWS request
