"""Benchmark corp.infra against a hand-written baseline on a private local emulator (issue 10).

    .venv/bin/python benchmarks/run.py [--runs 3] [--port N] [--profile | --profile-only]

For each repetition, with fresh environment names (so "from empty" is from empty), it times and counts:
(a) converge from empty, (b) no-op re-run, (c) ``--check --diff`` on the converged stack, (d) verify, for
corp.infra (site.yml) and for the baseline (benchmarks/baseline/site.yml, no verify); then corp.infra's
``site.yml --tags <role>`` for each service role on the converged stack, and three environments converged
from empty by one run (``--forks 3``). It prints a Markdown table of the medians and writes it to
outputs/benchmark.md, with every run in outputs/benchmark.json and each run's log in outputs/benchmark-logs/.
It exits 0 when every run succeeded, whatever the figures (targets are reported, not enforced), 1 when a
run failed, 2 when the emulator could not be started. See docs/benchmark.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.metadata
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import report  # benchmarks/report.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent if (Path(sys.executable).parent / "ansible-playbook").exists() else ROOT / ".venv" / "bin"
PLAYBOOK = str(BIN / "ansible-playbook")
BASELINE = ROOT / "benchmarks" / "baseline"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
PROFILE_ENV = {
    "ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.profile_tasks",
    "PROFILE_TASKS_TASK_OUTPUT_LIMIT": "all",
    "PROFILE_TASKS_SORT_ORDER": "descending",
}


class RunFailed(Exception):
    pass


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# The emulator ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Emulator:
    """A private emulator, started and stopped through scripts/emulator, with its request counter."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self.started = False

    def _launcher(self, command: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(ROOT / "scripts" / "emulator"), command, "--port", str(self.port)], capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> None:
        # The benchmark needs an emulator of its own, with no state from earlier runs.
        if self._launcher("status").returncode == 0:
            raise RunFailed(f"an emulator already runs on port {self.port}; give the benchmark a free port (or none)")
        result = self._launcher("start")
        if result.returncode != 0:
            raise RunFailed(f"scripts/emulator start --port {self.port} failed: {result.stderr.strip() or result.stdout.strip()}")
        self.started = True

    def stop(self) -> None:
        if self.started:
            self._launcher("stop")
            self.started = False

    def _call(self, method: str) -> dict:
        request = urllib.request.Request(f"{self.endpoint}/_corp/requests", method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def reset(self) -> None:
        self._call("DELETE")

    def counts(self) -> dict:
        return self._call("GET")


# One measured run --------------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


def process_tree(root: int) -> list[int]:
    """A process and all its descendants, parents first (ansible's workers start sessions of their own: a process
    group does not hold them all)."""
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        if pid in found:
            continue
        found.append(pid)
        with contextlib.suppress(OSError, ValueError):
            stack += _children(pid)  # none when the process ended meanwhile
    return found


def tree_rss_bytes(root: int) -> int:
    """The summed resident set of a process and all its descendants, now (pages shared between them count once each)."""
    total = 0
    for pid in process_tree(root):
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    return total


def kill_tree(root: int) -> None:
    """SIGKILL a run's ansible-playbook and every process under it (all started by this benchmark), nothing else."""
    for pid in process_tree(root):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def clean_env(endpoint: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every run: the emulator as the only AWS endpoint, no inherited ANSIBLE_* or AWS_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "AWS_", "PROFILE_TASKS_"))}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    env.update(extra or {})
    return env


def run_playbook(command: list[str], emulator: Emulator, log_path: Path, timeout: float, extra_env: dict[str, str] | None = None) -> report.Measurement:
    """Run ansible-playbook once: wall time, the emulator's request counts, peak memory, the PLAY RECAP."""
    emulator.reset()
    stop_sampling = threading.Event()
    peak = [0]
    with log_path.open("w") as out:
        out.write("$ " + " ".join(command) + "\n")
        out.flush()
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=clean_env(emulator.endpoint, extra_env),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

        def sample() -> None:
            while not stop_sampling.wait(0.1):
                peak[0] = max(peak[0], tree_rss_bytes(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, kill_tree, [process.pid])
        timer.start()
        try:
            # wait4 reports the largest resident set of the process and of every descendant it waited for.
            status, usage = os.wait4(process.pid, 0)[1:]
        except BaseException:  # Ctrl-C or SIGTERM: the run is in a session of its own, which the terminal's signal misses
            kill_tree(process.pid)
            process.wait()
            timer.cancel()
            stop_sampling.set()
            raise
        wall = time.monotonic() - started
        timer.cancel()
        stop_sampling.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    counts = emulator.counts()
    recap = report.parse_recap(log_path.read_text(errors="replace"))
    totals = report.recap_totals(recap)
    measurement = report.Measurement(
        wall_s=round(wall, 3),
        requests=counts["total"],
        by_action=counts["by_action"],
        tree_rss_mb=round(peak[0] / 2**20, 1),
        process_rss_mb=round(usage.ru_maxrss / 1024, 1),
        changed=totals["changed"],
        returncode=process.returncode,
        log=str(log_path),
        hosts=len(recap),
    )
    if process.returncode != 0 or not recap or totals["failed"] or totals["unreachable"]:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-25:])
        raise RunFailed(f"{' '.join(command[1:])} failed (exit {process.returncode}); log: {log_path}\n{tail}")
    return measurement


# The phases --------------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, emulator: Emulator, work: Path, logs: Path, timeout: float) -> None:
        self.emulator = emulator
        self.work = work
        self.logs = logs
        self.timeout = timeout
        # site.yml's outputs/<env>.json and compliance reports; made now, so that no converge counts creating it.
        self.stack_outputs = work / "stack-outputs"
        self.stack_outputs.mkdir()
        self.results: dict[str, dict[str, list[report.Measurement]]] = {}

    def corp(self, playbook: str, environment: str, *extra: str, inventory: str = "inventories/local") -> list[str]:
        env_var = ["-e", f"corp_environment={environment}"] if environment else []
        outputs = ["-e", f"outputs_dir={self.stack_outputs}", "-e", f"verify_outputs_dir={self.stack_outputs}"]
        return [PLAYBOOK, playbook, "-i", inventory, *env_var, *outputs, *extra]

    @staticmethod
    def baseline(environment: str, *extra: str) -> list[str]:
        return [PLAYBOOK, str(BASELINE / "site.yml"), "-i", str(BASELINE / "inventory"), "-e", f"baseline_environment={environment}", *extra]

    def measure(self, phase: str, stack: str, command: list[str], run: int, extra_env: dict[str, str] | None = None) -> report.Measurement:
        label = f"{phase} {stack} run {run}"
        log(f"{label} ...")
        name = f"{phase.replace(':', '-')}-{stack}-{run}.log"
        measurement = run_playbook(command, self.emulator, self.logs / name, self.timeout, extra_env)
        self.results.setdefault(phase, {}).setdefault(stack, []).append(measurement)
        log(
            f"{label}: {measurement.wall_s:.1f} s, {measurement.requests} requests, changed={measurement.changed}, "
            f"peak RSS {measurement.tree_rss_mb:.0f} MB (tree) / {measurement.process_rss_mb:.0f} MB (largest process)"
        )
        if (phase in ("noop", "check") or phase.startswith("role:")) and measurement.changed:
            log(f"note: {label} reported changed={measurement.changed} on a converged stack (see {measurement.log})")
        return measurement

    def multi_inventory(self, names: list[str]) -> Path:
        """inventories/local with three hosts, one environment each (host_vars), as a fleet inventory has them."""
        inventory = self.work / f"inventory-{names[0]}"
        shutil.copytree(ROOT / "inventories" / "local", inventory)
        hosts = "".join(f"    {name}:\n" for name in names)
        (inventory / "hosts.yml").write_text(
            "---\nall:\n  hosts:\n" + hosts + '  vars:\n    ansible_connection: local\n    ansible_python_interpreter: "{{ ansible_playbook_python }}"\n'
        )
        (inventory / "host_vars").mkdir()
        for n, name in enumerate(names):
            (inventory / "host_vars" / f"{name}.yml").write_text(f"---\ncorp_environment: {name}\nnetwork_vpc_cidr: 10.{101 + n}.0.0/16\n")
        return inventory

    def warm_up(self) -> None:
        """One unmeasured baseline converge: moto builds each service's backend (and loads IAM's AWS-managed policies)
        on first use, and Python's imports come from a cold disk cache once; neither should count against the phase
        that happens to run first."""
        log("warm-up (unmeasured): baseline converge of environment warmup ...")
        run_playbook(self.baseline("warmup"), self.emulator, self.logs / "warmup-baseline.log", self.timeout)

    def repetition(self, run: int) -> None:
        corp_env, base_env = f"bench{run}", f"basel{run}"
        # corp.infra and the baseline alternate, so a slow spell on the machine hits both alike.
        self.measure("converge", "corp", self.corp("site.yml", corp_env), run)
        self.measure("converge", "baseline", self.baseline(base_env), run)
        self.measure("noop", "corp", self.corp("site.yml", corp_env), run)
        self.measure("noop", "baseline", self.baseline(base_env), run)
        self.measure("check", "corp", self.corp("site.yml", corp_env, "--check", "--diff"), run)
        self.measure("check", "baseline", self.baseline(base_env, "--check", "--diff"), run)
        self.measure("verify", "corp", self.corp("playbooks/verify.yml", corp_env), run)
        for role in report.ROLES:
            self.measure(f"role:{role}", "corp", self.corp("site.yml", corp_env, "--tags", role), run)
        names = [f"multi{run}{suffix}" for suffix in "abc"]
        self.measure("multi", "corp", self.corp("site.yml", "", "--forks", "3", inventory=str(self.multi_inventory(names))), run)

    def profile(self, corp_env: str, base_env: str, converge_first: bool) -> dict[str, list[tuple[str, float]]]:
        """A profiled no-op of each stack (ansible.posix.profile_tasks, every task), slowest task first."""
        if converge_first:
            self.measure("profile-converge", "corp", self.corp("site.yml", corp_env), 1)
            self.measure("profile-converge", "baseline", self.baseline(base_env), 1)
        corp = self.measure("profile", "corp", self.corp("site.yml", corp_env), 1, PROFILE_ENV)
        base = self.measure("profile", "baseline", self.baseline(base_env), 1, PROFILE_ENV)
        return {
            "corp": report.parse_profile(Path(corp.log).read_text(errors="replace")),
            "baseline": report.parse_profile(Path(base.log).read_text(errors="replace")),
        }


# Output ------------------------------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    found: dict[str, str] = {"python": sys.version.split()[0]}
    for package in ("ansible-core", "moto", "boto3", "botocore"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found[package] = importlib.metadata.version(package)
    collections = Path(sysconfig.get_paths()["purelib"]) / "ansible_collections"
    for name in ("amazon/aws", "community/aws", "ansible/posix"):
        with contextlib.suppress(OSError, ValueError, KeyError):
            found[name.replace("/", ".")] = json.loads((collections / name / "MANIFEST.json").read_text())["collection_info"]["version"]
    return found


def profile_text(profiles: dict[str, list[tuple[str, float]]], results: dict) -> str:
    lines = []
    for stack, title in (("corp", "corp.infra site.yml"), ("baseline", "baseline benchmarks/baseline/site.yml")):
        rows = profiles.get(stack, [])
        run = results.get("profile", {}).get(stack, [None])[-1]
        lines += [f"== {title}: no-op on a converged stack, ansible.posix.profile_tasks", ""]
        if run:
            lines += [f"wall {run.wall_s:.1f} s, {run.requests} API requests, changed={run.changed}, log {run.log}", ""]
        lines += [f"-- every task, slowest first ({len(rows)} tasks, {sum(seconds for _task, seconds in rows):.1f} s in tasks)"]
        lines += [f"{seconds:8.2f}s  {task}" for task, seconds in rows]
        lines += ["", "-- per role (seconds, tasks)"]
        lines += [f"{seconds:8.2f}s  {count:3d}  {role}" for role, seconds, count in report.profile_by_role(rows)]
        lines += [""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="repetitions; each figure is their median (default 3)")
    parser.add_argument("--port", type=int, default=0, help="port of the benchmark's own emulator (default: a free one)")
    parser.add_argument("--profile", action="store_true", help="also profile a no-op of each stack (outputs/benchmark-profile.txt)")
    parser.add_argument("--profile-only", action="store_true", help="only converge and profile a no-op of each stack")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "outputs", help="where the report goes (default outputs/)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds one ansible-playbook run may take (default 1800)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    out_dir: Path = args.out_dir.resolve()
    logs = out_dir / "benchmark-logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="corp-bench-"))
    emulator = Emulator(args.port or free_port())
    meta = {
        "when": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "runs": 0 if args.profile_only else args.runs,
        "machine": f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start",
        "versions": versions(),
        "emulator": emulator.endpoint,
    }
    bench = Bench(emulator, work, logs, args.timeout)
    # SIGTERM (a cancelled CI job, kill) stops the benchmark as Ctrl-C does: the current run and the emulator end too.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    profiles: dict[str, list[tuple[str, float]]] = {}
    try:
        try:
            emulator.start()
        except RunFailed as error:
            log(str(error))
            return 2
        log(f"emulator {emulator.endpoint}; logs in {logs}")
        bench.warm_up()
        if not args.profile_only:
            for run in range(1, args.runs + 1):
                bench.repetition(run)
        if args.profile or args.profile_only:
            last = args.runs
            profiles = bench.profile(*(("prof1", "profb1") if args.profile_only else (f"bench{last}", f"basel{last}")), converge_first=args.profile_only)
    except RunFailed as error:
        log(f"run failed: {error}")
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        emulator.stop()
        shutil.rmtree(work, ignore_errors=True)

    summaries = {phase: {stack: report.summarize(runs) for stack, runs in stacks.items()} for phase, stacks in bench.results.items()}
    meta["load_average_end"] = round(os.getloadavg()[0], 2)
    text = report.render(summaries, meta, profiles.get("corp"))
    (out_dir / "benchmark.md").write_text(text + "\n")
    document = {
        "meta": meta,
        "summary": {phase: {stack: s.as_dict() if s else None for stack, s in stacks.items()} for phase, stacks in summaries.items()},
        "targets": [dict(asdict(t), result=t.result) for t in report.targets(summaries)],
        "runs": {phase: {stack: [asdict(m) for m in runs] for stack, runs in stacks.items()} for phase, stacks in bench.results.items()},
        "profile": {stack: [{"task": task, "seconds": seconds} for task, seconds in rows] for stack, rows in profiles.items()},
    }
    (out_dir / "benchmark.json").write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    if profiles:
        (out_dir / "benchmark-profile.txt").write_text(profile_text(profiles, bench.results))
    print(text)
    log(f"wrote {out_dir / 'benchmark.md'} and {out_dir / 'benchmark.json'}" + (f" and {out_dir / 'benchmark-profile.txt'}" if profiles else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
