"""Serve moto with corp.infra's shims and request counter (the process ``scripts/emulator start`` runs)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Any


def build_app() -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from moto.moto_server.werkzeug_app import create_backend_app

    from corp_emulator import shims
    from corp_emulator.counter import RequestCounter

    applied = shims.apply_all()
    print(f"corp-emulator: shims applied: {', '.join(applied) or 'none'}", flush=True)
    return RequestCounter(DomainDispatcherApplication(create_backend_app))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="corp-emulator-server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)

    # moto builds presigned and redirect URLs from MOTO_PORT; AWS-managed IAM policies (e.g.
    # AmazonRDSEnhancedMonitoringRole) exist only when loaded at start.
    os.environ.setdefault("MOTO_PORT", str(args.port))
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import run_simple

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    run_simple(args.host, args.port, build_app(), threaded=True, request_handler=MotoRequestHandler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
