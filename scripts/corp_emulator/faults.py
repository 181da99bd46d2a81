"""A fault-injecting HTTP proxy for the emulator: answers a share of AWS requests with the throttling error each
service's protocol uses, and forwards the rest unchanged.

    python -m corp_emulator.faults --listen 5201 --upstream http://127.0.0.1:5200 --throttle-rate 0.2 --seed 7

Point AWS_ENDPOINT_URL at the proxy. It also serves requests in absolute form (botocore sends S3 Control calls
through it as an HTTP proxy, see docs/emulator.md). ``GET /_faults`` returns {"forwarded": N, "throttled": N}.
The error shapes are those botocore retries as throttling (botocore/data/_retry.json) and the services document:
JSON protocol ``ThrottlingException``, query protocol ``Throttling``, EC2 ``RequestLimitExceeded``, S3 ``SlowDown``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

_SERVICE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


def throttle_response(service: str, json_protocol: bool) -> tuple[int, str, bytes]:
    """(status, content type, body) of the throttling error ``service`` answers with."""
    if json_protocol:
        return 400, "application/x-amz-json-1.0", json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
    if service == "s3":
        return 503, "application/xml", b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
    if service == "ec2":
        body = (
            b"<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors>"
            b"<RequestID>fault</RequestID></Response>"
        )
        return 503, "text/xml", body
    body = b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>fault</RequestId>"
    body += b"</ErrorResponse>"
    return 400, "text/xml", body


class FaultProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, listen: tuple[str, int], upstream: str, throttle_rate: float, seed: int | None) -> None:
        super().__init__(listen, _Handler)
        parsed = urllib.parse.urlsplit(upstream)
        self.upstream = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.throttle_rate = throttle_rate
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.counts = {"forwarded": 0, "throttled": 0}

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
            with self.server.lock:
                counts = dict(self.server.counts)
            self._reply(200, "application/json", json.dumps(counts).encode())
            return
        if not path.startswith("/_corp/") and self.server.should_throttle():
            found = _SERVICE.search(self.headers.get("Authorization", ""))
            self._reply(*throttle_response(found.group(1) if found else "", "X-Amz-Target" in self.headers))
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        connection = http.client.HTTPConnection(*self.server.upstream, timeout=120)
        try:
            connection.request(self.command, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            self.send_response(response.status)
            for key, value in response.getheaders():
                if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        finally:
            connection.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = _handle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="corp-emulator-faults")
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--throttle-rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args(argv)
    proxy = FaultProxy(("127.0.0.1", args.listen), args.upstream, args.throttle_rate, args.seed)
    print(f"corp-emulator-faults: {args.throttle_rate:.0%} throttled on 127.0.0.1:{args.listen} -> {args.upstream}", flush=True)
    proxy.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
