"""WSGI middleware that counts the AWS API requests the emulator answers.

Tests use it to prove that preflight sends nothing to AWS; the benchmark uses it to count API calls.
``GET /_corp/requests`` returns the counts, ``DELETE /_corp/requests`` resets them, ``GET /_corp/health``
answers once the server is up, ``/_corp/states`` switches the asynchronous-state rehearsal (shims.py). Nothing under
``/_corp/`` or ``/moto-api/`` is counted.
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections import Counter
from typing import Any
from typing import Callable
from typing import Iterable
from urllib.parse import parse_qs

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def describe_request(environ: dict[str, Any], body: bytes) -> str:
    """Name a request ``service:Action`` (or ``service:METHOD`` for REST APIs such as S3)."""
    match = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    service = match.group(1) if match else "unsigned"
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    params = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" not in params and body and "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
        params = parse_qs(body.decode("utf-8", "replace"))
    if "Action" in params:
        return f"{service}:{params['Action'][0]}"
    return f"{service}:{environ.get('REQUEST_METHOD', 'GET')}"


class RequestCounter:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"total": sum(self.counts.values()), "by_action": dict(sorted(self.counts.items()))}

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()

    @staticmethod
    def states(environ: dict[str, Any]) -> dict[str, Any]:
        """The asynchronous-state rehearsal (shims.STATE_SETTINGS): POST sets its settings from the query string
        (``rds_describes=2``), DELETE turns it off and forgets the answers; every call returns settings and answers."""
        from corp_emulator import shims

        method = environ.get("REQUEST_METHOD")
        if method == "POST":
            for name, values in parse_qs(environ.get("QUERY_STRING", "")).items():
                if name in shims.STATE_SETTINGS:
                    shims.STATE_SETTINGS[name] = int(values[-1])
        elif method == "DELETE":
            shims.STATE_SETTINGS.update(dict.fromkeys(shims.STATE_SETTINGS, 0))
            shims.STATE_ANSWERS.clear()
        return {"settings": dict(shims.STATE_SETTINGS), "answers": dict(shims.STATE_ANSWERS)}

    def _json(self, start_response: Callable[..., Any], payload: dict[str, Any]) -> list[bytes]:
        body = json.dumps(payload).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/_corp/health":
            return self._json(start_response, {"status": "ok"})
        if path == "/_corp/requests":
            if environ.get("REQUEST_METHOD") == "DELETE":
                self.reset()
            return self._json(start_response, self.snapshot())
        if path == "/_corp/states":
            return self._json(start_response, self.states(environ))
        if not path.startswith("/moto-api"):
            # The body is read once here and handed on unchanged: query-protocol services (EC2, IAM,
            # RDS) carry the action name in a form-encoded body.
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            name = describe_request(environ, body)
            with self._lock:
                self.counts[name] += 1
        return self.app(environ, start_response)
