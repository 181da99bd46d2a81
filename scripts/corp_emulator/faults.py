"""A fault-injecting HTTP proxy for the emulator: answers a share of AWS requests with the throttling error each
service's protocol uses, and forwards the rest unchanged.

    python -m corp_emulator.faults --listen 5201 --upstream http://127.0.0.1:5200 --throttle-rate 0.2 --seed 7

Point AWS_ENDPOINT_URL at the proxy. It also serves requests in absolute form (botocore sends S3 Control calls
through it as an HTTP proxy, see docs/emulator.md). ``GET /_faults`` returns the counts ({"forwarded": N,
"throttled": N, "failed": N}) and whether the proxy hangs. The error shapes are those botocore retries as throttling
(botocore/data/_retry.json) and the services document: JSON protocol ``ThrottlingException``, query protocol
``Throttling``, EC2 ``RequestLimitExceeded``, S3 ``SlowDown``.

Two more faults, switched on at run time by the tests (``POST``, parameters in the query string):

- ``/_faults/hang?after=CreateKey``: forward the next CreateKey, then answer neither it nor anything after it, as
  if the controller died the moment AWS acted. The test then kills the run and posts ``/_faults/release``.
- ``/_faults/fail?action=CreateTable&code=AccessDeniedException&status=400``: answer every CreateTable with that
  AWS error (a permission or quota refusal) until ``/_faults/release``. With ``times=N`` only the next N, then the
  action goes through again (AWS's eventual consistency: an error that lasts until what was just created propagates);
  ``message=`` sets the error's message.

And the eventual-consistency mode (``consistency.py``: each rule, its AWS error and its source), switched on with
``--consistency-scale 1 --consistency-share 0.5`` or ``/_faults/consistency?scale=1&share=0.5`` (``rules=a,b`` for
some of them; ``scale=0`` switches it off): for the rule's window (times ``scale``) after a call creates something, that share of the
requests that use it get the error AWS answers while the change propagates, until one of them passes (the change has
propagated; AWS does not lose it again). ``GET /_faults`` then also counts, per rule,
the things it saw created and the errors it answered.

An action is the API operation name: the ``X-Amz-Target`` operation (JSON protocol), the ``Action`` parameter (query
protocol) or, for S3, ``CreateBucket`` (a PUT on a bucket with no subresource).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from .consistency import RULES
from .consistency import RULES_BY_NAME
from .consistency import Rule
from .consistency import request_text

_SERVICE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


def error_response(service: str, json_protocol: bool, status: int, code: str, message: str) -> tuple[int, str, bytes]:
    """(status, content type, body) of the AWS error ``code`` in the protocol ``service`` speaks."""
    if json_protocol:
        return status, "application/x-amz-json-1.0", json.dumps({"__type": code, "message": message}).encode()
    code_xml, message_xml = (xml_escape(text).encode() for text in (code, message))
    if service == "s3":
        return status, "application/xml", b"<Error><Code>" + code_xml + b"</Code><Message>" + message_xml + b"</Message></Error>"
    if service == "ec2":
        body = b"<Response><Errors><Error><Code>" + code_xml + b"</Code><Message>" + message_xml + b"</Message></Error></Errors>"
        return status, "text/xml", body + b"<RequestID>fault</RequestID></Response>"
    body = b"<ErrorResponse><Error><Type>Sender</Type><Code>" + code_xml + b"</Code><Message>" + message_xml + b"</Message></Error>"
    return status, "text/xml", body + b"<RequestId>fault</RequestId></ErrorResponse>"


def throttle_response(service: str, json_protocol: bool) -> tuple[int, str, bytes]:
    """(status, content type, body) of the throttling error ``service`` answers with."""
    if json_protocol:
        return error_response(service, json_protocol, 400, "ThrottlingException", "Rate exceeded")
    if service == "s3":
        return error_response(service, json_protocol, 503, "SlowDown", "Please reduce your request rate.")
    if service == "ec2":
        return error_response(service, json_protocol, 503, "RequestLimitExceeded", "Request limit exceeded.")
    return error_response(service, json_protocol, 400, "Throttling", "Rate exceeded")


# Services of the stack whose protocol is rest-json: JSON errors, but no X-Amz-Target header to tell.
_REST_JSON = frozenset({"backup"})


def speaks_json(service: str, headers: Any) -> bool:
    """Whether ``service`` answers errors as JSON (the JSON and rest-json protocols)."""
    return "X-Amz-Target" in headers or service in _REST_JSON


def action_of(method: str, path: str, headers: Any, body: bytes) -> str:
    """The API operation a request calls ('' when this proxy cannot tell)."""
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    split = urllib.parse.urlsplit(path)
    params = urllib.parse.parse_qs(split.query, keep_blank_values=True)
    if "form-urlencoded" in (headers.get("Content-Type") or ""):
        params.update(urllib.parse.parse_qs(body.decode(errors="replace")))
    if "Action" in params:
        return params["Action"][0]
    found = _SERVICE.search(headers.get("Authorization", ""))
    if found and found.group(1) == "s3" and method == "PUT" and split.path.strip("/").count("/") == 0:
        if not split.query:
            return "CreateBucket"
        if "policy" in params:
            return "PutBucketPolicy"
    return ""


class FaultProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, listen: tuple[str, int], upstream: str, throttle_rate: float, seed: int | None) -> None:
        super().__init__(listen, _Handler)
        parsed = urllib.parse.urlsplit(upstream)
        self.upstream = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.throttle_rate = throttle_rate
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.counts = {"forwarded": 0, "throttled": 0, "failed": 0}
        self.hang_after = ""  # the action after which the proxy stops answering
        self.hung = threading.Event()
        self.released = threading.Event()
        self.failures: dict[str, tuple[int, str, str, int | None]] = {}  # action: (status, code, message, times left or None)
        self.consistency_scale = 0.0  # times each rule's window a new thing propagates (0: the mode is off)
        self.consistency_share = 1.0
        self.consistency_rules: tuple[Rule, ...] = RULES
        self.propagating: list[tuple[Rule, str, float]] = []  # (rule, thing, when it was created)
        self.consistency_counts: dict[str, dict[str, int]] = {}

    def set_consistency(self, scale: float, share: float, rules: str = "") -> None:
        with self.lock:
            self.consistency_scale, self.consistency_share = scale, share
            self.consistency_rules = tuple(RULES_BY_NAME[name] for name in rules.split(",")) if rules else RULES
            self.propagating = []
            self.consistency_counts = {rule.name: {"created": 0, "answered": 0} for rule in self.consistency_rules}

    def note_created(self, action: str, path: str, answer: bytes) -> None:
        """Start the propagation window of whatever a successful ``action`` made."""
        if not self.consistency_scale:
            return
        text = answer.decode(errors="replace")
        with self.lock:
            for rule in self.consistency_rules:
                if rule.creates == action:
                    for thing in rule.created(path, text):
                        self.propagating.append((rule, thing, time.monotonic()))
                        self.consistency_counts[rule.name]["created"] += 1

    def propagation_error(self, service: str, action: str, text: str) -> tuple[int, str, str] | None:
        """The error AWS answers this request with while something it names propagates (a share of the time)."""
        if not self.consistency_scale:
            return None
        with self.lock:
            now = time.monotonic()
            self.propagating = [entry for entry in self.propagating if now - entry[2] < entry[0].window * self.consistency_scale]
            for entry in self.propagating:
                rule, thing, _created = entry
                if rule.service == service and (not rule.consumers or action in rule.consumers) and thing in text:
                    if self.random.random() < self.consistency_share:
                        self.consistency_counts[rule.name]["answered"] += 1
                        return rule.error(thing)
                    # This request found it: it has propagated, and AWS does not lose it again.
                    self.propagating.remove(entry)
                    return None
            return None

    def control(self, command: str, params: dict[str, str]) -> None:
        """Switch a fault on or off (the /_faults/<command> endpoints)."""
        if command == "consistency":
            self.set_consistency(float(params.get("scale", "1")), float(params.get("share", "1")), params.get("rules", ""))
            return
        with self.lock:
            if command == "hang":
                self.hang_after, self.released = params["after"], threading.Event()
                self.hung.clear()
            elif command == "fail":
                times = int(params["times"]) if "times" in params else None
                message = params.get("message") or f"injected by corp_emulator.faults for {params['action']}"
                self.failures[params["action"]] = (int(params.get("status", "400")), params["code"], message, times)
            elif command == "release":
                self.hang_after, self.failures = "", {}
                self.released.set()
                self.hung.clear()
            else:
                raise KeyError(command)

    def status(self) -> dict[str, Any]:
        with self.lock:
            consistency = {"scale": self.consistency_scale, "share": self.consistency_share, "rules": self.consistency_counts}
            return dict(self.counts, hung=self.hung.is_set(), hang_after=self.hang_after, failing=sorted(self.failures), consistency=consistency)

    def injected_failure(self, action: str) -> tuple[int, str, str] | None:
        """The error to answer ``action`` with, if a fail fault covers it (counting down a ``times`` fault)."""
        with self.lock:
            if action not in self.failures:
                return None
            status, code, message, times = self.failures[action]
            if times is not None:
                if times <= 1:
                    del self.failures[action]
                else:
                    self.failures[action] = (status, code, message, times - 1)
            self.counts["failed"] += 1
            return status, code, message

    def should_throttle(self) -> bool:
        with self.lock:
            throttle = self.random.random() < self.throttle_rate
            self.counts["throttled" if throttle else "forwarded"] += 1
            return throttle


class _Handler(BaseHTTPRequestHandler):
    server: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # the base class's signature
        pass

    def _reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        target = urllib.parse.urlsplit(self.path)
        path = (target.path or "/") + (f"?{target.query}" if target.query else "")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if path.startswith("/_faults"):
            self._control(path)
            return
        proxy = self.server
        if proxy.hung.is_set():
            self._hang()
            return
        action = action_of(self.command, path, self.headers, body)
        found = _SERVICE.search(self.headers.get("Authorization", ""))
        service = found.group(1) if found else ""
        json_protocol = speaks_json(service, self.headers)
        failure = proxy.injected_failure(action) if action else None
        if not failure and not path.startswith("/_corp/"):
            failure = proxy.propagation_error(service, action, request_text(self.command, path, dict(self.headers), body))
        if failure:
            status, code, message = failure
            self._reply(*error_response(service, json_protocol, status, code, message))
            return
        if not path.startswith("/_corp/") and proxy.should_throttle():
            self._reply(*throttle_response(service, json_protocol))
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        connection = http.client.HTTPConnection(*self.server.upstream, timeout=120)
        try:
            connection.request(self.command, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            if action and 200 <= response.status < 300:
                proxy.note_created(action, path, data)
            if action and action == proxy.hang_after and not proxy.hung.is_set():
                proxy.hung.set()  # AWS has acted; the caller never hears it
                self._hang()
                return
            self.send_response(response.status)
            for key, value in response.getheaders():
                if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        finally:
            connection.close()

    def _hang(self) -> None:
        """Answer nothing until the test releases the proxy, then drop the connection."""
        self.server.released.wait(timeout=600)
        self.close_connection = True

    def _control(self, path: str) -> None:
        split = urllib.parse.urlsplit(path)
        command = split.path.removeprefix("/_faults").strip("/")
        if command:
            params = {key: values[0] for key, values in urllib.parse.parse_qs(split.query).items()}
            try:
                self.server.control(command, params)
            except KeyError as missing:
                self._reply(400, "application/json", json.dumps({"error": f"missing or unknown {missing}"}).encode())
                return
        self._reply(200, "application/json", json.dumps(self.server.status()).encode())

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = _handle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="corp-emulator-faults")
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--throttle-rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--consistency-scale", type=float, default=0.0, help="times each rule's window a new thing propagates (0: off)")
    parser.add_argument("--consistency-share", type=float, default=1.0, help="share of the requests using it that fail meanwhile")
    parser.add_argument("--consistency-rules", default="", help="comma-separated rule names (default: all)")
    args = parser.parse_args(argv)
    proxy = FaultProxy(("127.0.0.1", args.listen), args.upstream, args.throttle_rate, args.seed)
    proxy.set_consistency(args.consistency_scale, args.consistency_share, args.consistency_rules)
    print(f"corp-emulator-faults: {args.throttle_rate:.0%} throttled on 127.0.0.1:{args.listen} -> {args.upstream}", flush=True)
    proxy.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
