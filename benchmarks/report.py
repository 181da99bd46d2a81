"""The benchmark's pure parts: PLAY RECAP and profile parsing, medians, ratios, targets and the Markdown report.

No process, file or network access here (benchmarks/run.py does that), so tests/unit/benchmarks covers it all.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Iterable

_RECAP = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+"
    r"failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)\s+ignored=(?P<ignored>\d+)\s*$",
    re.MULTILINE,
)
# ansible.posix.profile_tasks' summary: "<role> : <task> ------- 1.23s" (the role part only for role tasks).
_PROFILE_LINE = re.compile(r"^(?P<task>\S.*?)\s-{2,}\s(?P<seconds>\d+(?:\.\d+)?)s\s*$")
_RECAP_KEYS = ("ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored")


def parse_recap(text: str) -> dict[str, dict[str, int]]:
    """The PLAY RECAP counts per host, from ansible-playbook's default output (the last recap wins)."""
    recap_at = text.rfind("PLAY RECAP")
    if recap_at < 0:
        return {}
    return {m["host"]: {key: int(m[key]) for key in _RECAP_KEYS} for m in _RECAP.finditer(text, recap_at)}


def recap_totals(recap: dict[str, dict[str, int]]) -> dict[str, int]:
    """The recap counts summed over every host."""
    return {key: sum(host[key] for host in recap.values()) for key in _RECAP_KEYS}


def median(values: Iterable[float | int | None]) -> float | None:
    """The median of the values that are not None; None when there are none."""
    present = [v for v in values if v is not None]
    return float(statistics.median(present)) if present else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, or None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


@dataclass
class Measurement:
    """One ansible-playbook run."""

    wall_s: float
    requests: int
    by_action: dict[str, int]
    tree_rss_mb: float
    process_rss_mb: float
    changed: int
    returncode: int
    log: str = ""
    hosts: int = 1


@dataclass
class Summary:
    """The medians of a phase's runs for one stack."""

    runs: int
    wall_s: float | None
    requests: float | None
    tree_rss_mb: float | None
    process_rss_mb: float | None
    changed: list[int] = field(default_factory=list)
    by_action: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(measurements: list[Measurement]) -> Summary | None:
    """Medians of wall time, requests and memory; every run's changed count; the operations of the median run."""
    if not measurements:
        return None
    requests = median(m.requests for m in measurements)
    # The run whose request total is nearest the median stands for the phase's operation counts.
    typical = min(measurements, key=lambda m: abs(m.requests - (requests or 0)))
    return Summary(
        runs=len(measurements),
        wall_s=median(m.wall_s for m in measurements),
        requests=requests,
        tree_rss_mb=median(m.tree_rss_mb for m in measurements),
        process_rss_mb=median(m.process_rss_mb for m in measurements),
        changed=[m.changed for m in measurements],
        by_action=dict(typical.by_action),
    )


def top_actions(by_action: dict[str, int], limit: int = 10) -> list[tuple[str, int]]:
    """The most frequent operations, most frequent first (ties by name)."""
    return sorted(by_action.items(), key=lambda item: (-item[1], item[0]))[:limit]


def parse_profile(text: str) -> list[tuple[str, float]]:
    """profile_tasks' summary lines as (task, seconds), slowest first."""
    rows = [(m["task"].strip(), float(m["seconds"])) for m in map(_PROFILE_LINE.match, text.splitlines()) if m]
    return sorted(rows, key=lambda row: -row[1])


def profile_by_role(rows: list[tuple[str, float]]) -> list[tuple[str, float, int]]:
    """Seconds and task count per role ("(play)" for tasks outside a role), slowest first."""
    totals: dict[str, list[float]] = {}
    for task, seconds in rows:
        role = task.split(" : ", 1)[0] if " : " in task else "(play)"
        totals.setdefault(role, []).append(seconds)
    return sorted(((role, sum(times), len(times)) for role, times in totals.items()), key=lambda row: -row[1])


# Formatting ------------------------------------------------------------------------------------------------


def fmt_number(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def fmt_count(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def fmt_changed(values: list[int]) -> str:
    """One number when every run agrees, else each run's count ("0/1/0")."""
    if not values:
        return "n/a"
    return str(values[0]) if len(set(values)) == 1 else "/".join(map(str, values))


def markdown_table(header: list[str], rows: list[list[str]], align: list[str] | None = None) -> str:
    """A Markdown table; align holds "l" or "r" per column (default: first left, the rest right)."""
    align = align or ["l"] + ["r"] * (len(header) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = [header, rule, *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


# The report ------------------------------------------------------------------------------------------------

PHASES = {
    "converge": "(a) converge from empty",
    "noop": "(b) no-op re-run",
    "check": "(c) --check --diff, converged",
    "verify": "(d) verify (compliance report)",
}
ROLES = ("network", "s3", "iam", "rds", "dynamodb", "backup")


@dataclass
class Target:
    name: str
    measured: float | None
    limit: float
    detail: str

    @property
    def result(self) -> str:
        if self.measured is None:
            return "n/a"
        return "PASS" if self.measured <= self.limit else "MISS"


def _get(summaries: dict[str, dict[str, Summary | None]], phase: str, stack: str, attr: str) -> float | None:
    summary = summaries.get(phase, {}).get(stack)
    return None if summary is None else getattr(summary, attr)


def targets(summaries: dict[str, dict[str, Summary | None]]) -> list[Target]:
    """Issue 10's targets from the medians: ratios, each with its limit."""
    noop_wall = _get(summaries, "noop", "corp", "wall_s")
    base_noop_wall = _get(summaries, "noop", "baseline", "wall_s")
    noop_req = _get(summaries, "noop", "corp", "requests")
    base_noop_req = _get(summaries, "noop", "baseline", "requests")
    conv = _get(summaries, "converge", "corp", "wall_s")
    base_conv = _get(summaries, "converge", "baseline", "wall_s")
    verify = _get(summaries, "verify", "corp", "wall_s")
    multi = _get(summaries, "multi", "corp", "wall_s")

    def seconds(a: float | None, b: float | None) -> str:
        return f"{fmt_number(a)} s / {fmt_number(b)} s"

    return [
        Target("1. no-op wall time / baseline no-op", ratio(noop_wall, base_noop_wall), 0.5, seconds(noop_wall, base_noop_wall)),
        Target(
            "1. no-op API requests / baseline no-op",
            ratio(noop_req, base_noop_req),
            1.0,
            f"{fmt_count(noop_req)} / {fmt_count(base_noop_req)} requests",
        ),
        Target("2. converge from empty wall time / baseline", ratio(conv, base_conv), 1.0, seconds(conv, base_conv)),
        Target("3. verify wall time / no-op converge", ratio(verify, noop_wall), 0.3, seconds(verify, noop_wall)),
        Target("4. three environments from empty / one environment", ratio(multi, conv), 2.0, seconds(multi, conv)),
    ]


def _row(label: str, stack: str, summary: Summary | None, extra: list[str] | None = None) -> list[str]:
    if summary is None:
        return [label, stack, "n/a", "n/a", "n/a", "n/a", "n/a", *(extra or [])]
    return [
        label,
        stack,
        fmt_number(summary.wall_s),
        fmt_count(summary.requests),
        fmt_number(summary.tree_rss_mb, 0),
        fmt_number(summary.process_rss_mb, 0),
        fmt_changed(summary.changed),
        *(extra or []),
    ]


def _ratio_row(corp: Summary | None, baseline: Summary | None) -> list[str]:
    def r(attr: str) -> str:
        return fmt_ratio(ratio(getattr(corp, attr, None), getattr(baseline, attr, None)))

    return ["", "ratio", r("wall_s"), r("requests"), r("tree_rss_mb"), r("process_rss_mb"), ""]


COLUMNS = ["phase", "stack", "wall s", "API requests", "peak RSS MB (tree)", "largest process MB", "changed"]


def render(summaries: dict[str, dict[str, Summary | None]], meta: dict[str, Any], profile: list[tuple[str, float]] | None = None) -> str:
    """The whole report as Markdown."""
    out = [
        "# corp.infra benchmark",
        "",
        f"Medians of {meta.get('runs', '?')} run(s) on the local emulator ({meta.get('when', '')}; {meta.get('machine', '')}).",
        "Wall time of ansible-playbook; API requests counted by the emulator; peak RSS of the ansible-playbook process tree",
        "(sum over the tree, sampled every 0.1 s) and of its largest single process; changed from the PLAY RECAP",
        "(one number per run when runs differ). Ratios are corp.infra / baseline.",
        "",
    ]
    if not any(phase in summaries for phase in (*PHASES, "multi")):
        # --profile-only: no measured runs, only the profile.
        intro = f"A profiled no-op on the local emulator ({meta.get('when', '')}; {meta.get('machine', '')})."
        return "\n".join([out[0], "", intro, "", *_profile_section(profile)])
    out += ["## Whole stack", ""]
    rows = []
    for phase, label in PHASES.items():
        corp = summaries.get(phase, {}).get("corp")
        baseline = summaries.get(phase, {}).get("baseline")
        rows.append(_row(label, "corp.infra", corp))
        rows.append(_row("", "baseline", baseline))
        rows.append(_ratio_row(corp, baseline))
    out += [markdown_table(COLUMNS, rows, ["l", "l", "r", "r", "r", "r", "r"]), ""]

    noop = summaries.get("noop", {}).get("corp")
    out += [
        "## Per role (corp.infra, `site.yml --tags <role>` on a converged stack; includes preflight and account)",
        "",
    ]
    role_rows = [
        _row(
            role,
            "corp.infra",
            summaries.get(f"role:{role}", {}).get("corp"),
            [fmt_ratio(ratio(_get(summaries, f"role:{role}", "corp", "wall_s"), _get(summaries, "noop", "corp", "wall_s")))],
        )
        for role in ROLES
    ]
    role_rows.append(_row("whole stack no-op", "corp.infra", noop, ["1.00x" if noop else "n/a"]))
    out += [markdown_table(["role", "stack", *COLUMNS[2:], "wall / whole no-op"], role_rows, ["l", "l", "r", "r", "r", "r", "r", "r"]), ""]

    multi = summaries.get("multi", {}).get("corp")
    one = summaries.get("converge", {}).get("corp")
    out += ["## Three environments in one run (corp.infra, three hosts, `--forks 3`, from empty)", ""]
    multi_rows = [
        _row(
            "three environments",
            "corp.infra",
            multi,
            [fmt_ratio(ratio(_get(summaries, "multi", "corp", "wall_s"), _get(summaries, "converge", "corp", "wall_s")))],
        ),
        _row("one environment, (a)", "corp.infra", one, ["1.00x" if one else "n/a"]),
    ]
    out += [markdown_table(["run", "stack", *COLUMNS[2:], "wall / one environment"], multi_rows, ["l", "l", "r", "r", "r", "r", "r", "r"]), ""]

    out += ["## Targets (issue 10)", ""]
    target_rows = [[t.name, fmt_ratio(t.measured), f"<= {t.limit:.2f}x", t.detail, t.result] for t in targets(summaries)]
    out += [markdown_table(["target", "measured", "limit", "medians", "result"], target_rows, ["l", "r", "r", "r", "l"]), ""]

    out += ["## Where the no-op's requests go (most frequent operations, median run)", ""]
    base_noop = summaries.get("noop", {}).get("baseline")
    corp_top = top_actions(noop.by_action if noop else {})
    base_top = top_actions(base_noop.by_action if base_noop else {})
    top_rows = []
    for i in range(max(len(corp_top), len(base_top))):
        c = corp_top[i] if i < len(corp_top) else ("", None)
        b = base_top[i] if i < len(base_top) else ("", None)
        top_rows.append([c[0], fmt_count(c[1]) if c[1] is not None else "", b[0], fmt_count(b[1]) if b[1] is not None else ""])
    out += [markdown_table(["corp.infra operation", "count", "baseline operation", "count"], top_rows, ["l", "r", "l", "r"]), ""]

    return "\n".join(out + _profile_section(profile))


def _profile_section(profile: list[tuple[str, float]] | None) -> list[str]:
    if not profile:
        return []
    rows = [[task.replace("|", "\\|"), f"{seconds:.2f}"] for task, seconds in profile[:20]]
    return ["## Profile: slowest tasks of a corp.infra no-op (ansible.posix.profile_tasks)", "", markdown_table(["task", "s"], rows), ""]
