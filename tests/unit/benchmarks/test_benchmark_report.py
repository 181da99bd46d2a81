"""The benchmark's pure parts (benchmarks/report.py): recap and profile parsing, medians, ratios, targets, tables."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
_spec = importlib.util.spec_from_file_location("corp_benchmark_report", ROOT / "benchmarks" / "report.py")
report = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = report  # dataclasses look their module up by name
_spec.loader.exec_module(report)

RECAP = """
TASK [corp.infra.verify : Fail on controls that fail] **************************
skipping: [local]

PLAY RECAP *********************************************************************
local                      : ok=82   changed=23   unreachable=0    failed=0    skipped=26   rescued=0    ignored=0
"""

MULTI_RECAP = """
ok: [envone] => {"changed": false}
PLAY RECAP *********************************************************************
envone                     : ok=80   changed=23   unreachable=0    failed=0    skipped=26   rescued=0    ignored=0
envthree                   : ok=80   changed=22   unreachable=0    failed=1    skipped=26   rescued=0    ignored=0
envtwo                     : ok=80   changed=24   unreachable=0    failed=0    skipped=26   rescued=0    ignored=1
"""


def measurement(wall, requests, changed=0, by_action=None, tree=200.0, process=100.0):
    return report.Measurement(
        wall_s=wall, requests=requests, by_action=by_action or {}, tree_rss_mb=tree, process_rss_mb=process, changed=changed, returncode=0
    )


def test_parse_recap_one_host():
    assert report.parse_recap(RECAP) == {"local": {"ok": 82, "changed": 23, "unreachable": 0, "failed": 0, "skipped": 26, "rescued": 0, "ignored": 0}}


def test_parse_recap_sums_every_host_and_sees_failures():
    recap = report.parse_recap(MULTI_RECAP)
    assert sorted(recap) == ["envone", "envthree", "envtwo"]
    totals = report.recap_totals(recap)
    assert totals["changed"] == 69 and totals["failed"] == 1 and totals["ignored"] == 1


def test_parse_recap_ignores_recap_like_lines_before_the_recap_and_missing_recaps():
    text = "local : ok=1 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0\n" + RECAP
    assert report.parse_recap(text)["local"]["changed"] == 23
    assert report.parse_recap("ERROR! the playbook could not be found") == {}


@pytest.mark.parametrize(
    ("values", "expected"),
    [([3, 1, 2], 2.0), ([4, 1, 3, 2], 2.5), ([5], 5.0), ([None, 7, None], 7.0), ([], None), ([None], None)],
)
def test_median(values, expected):
    assert report.median(values) == expected


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(10, 20, 0.5), (3.0, 1.5, 2.0), (1, 0, None), (None, 2, None), (2, None, None)],
)
def test_ratio(numerator, denominator, expected):
    assert report.ratio(numerator, denominator) == expected


def test_summarize_takes_medians_keeps_every_changed_count_and_the_typical_runs_operations():
    runs = [
        measurement(30.0, 150, changed=0, by_action={"s3:GET": 1}, tree=190, process=70),
        measurement(10.0, 100, changed=1, by_action={"s3:GET": 2}, tree=210, process=90),
        measurement(20.0, 120, changed=0, by_action={"s3:GET": 3}, tree=200, process=80),
    ]
    summary = report.summarize(runs)
    assert (summary.runs, summary.wall_s, summary.requests, summary.tree_rss_mb, summary.process_rss_mb) == (3, 20.0, 120.0, 200.0, 80.0)
    assert summary.changed == [0, 1, 0]
    assert summary.by_action == {"s3:GET": 3}
    assert report.summarize([]) is None


def test_formatting():
    assert report.fmt_ratio(0.456) == "0.46x" and report.fmt_ratio(None) == "n/a"
    assert report.fmt_number(12.345) == "12.3" and report.fmt_number(None) == "n/a"
    assert report.fmt_count(182.0) == "182" and report.fmt_count(182.5) == "182.5"
    assert report.fmt_changed([0, 0, 0]) == "0" and report.fmt_changed([0, 1, 0]) == "0/1/0" and report.fmt_changed([]) == "n/a"


def test_markdown_table_aligns_numbers_right():
    table = report.markdown_table(["phase", "s"], [["noop", "1.0"]])
    assert table.splitlines() == ["| phase | s |", "| --- | ---: |", "| noop | 1.0 |"]


def test_top_actions_most_frequent_first_ties_by_name():
    assert report.top_actions({"b": 2, "a": 2, "c": 5, "d": 1}, limit=3) == [("c", 5), ("a", 2), ("b", 2)]


def _summaries(noop=20.0, base_noop=40.0, noop_req=100, base_noop_req=150, conv=30.0, base_conv=40.0, verify=5.0, multi=50.0):
    s = report.summarize
    return {
        "noop": {"corp": s([measurement(noop, noop_req)]), "baseline": s([measurement(base_noop, base_noop_req)])},
        "converge": {"corp": s([measurement(conv, 200)]), "baseline": s([measurement(base_conv, 180)])},
        "verify": {"corp": s([measurement(verify, 20)])},
        "multi": {"corp": s([measurement(multi, 600)])},
    }


def test_targets_pass_at_or_under_their_limits():
    found = report.targets(_summaries(verify=6.0, multi=60.0))  # verify exactly 0.3x, three environments exactly 2x
    assert [t.result for t in found] == ["PASS"] * 5
    assert [round(t.measured, 3) for t in found] == [0.5, 0.667, 0.75, 0.3, 2.0]


def test_targets_miss_over_their_limits_and_say_n_a_without_figures():
    found = report.targets(_summaries(noop=21.0, noop_req=151, conv=41.0, verify=6.5, multi=83.0))
    assert [t.result for t in found] == ["MISS"] * 5
    assert [t.result for t in report.targets({})] == ["n/a"] * 5


def test_parse_profile_reads_profile_tasks_summary_lines_slowest_first():
    text = "\n".join(
        [
            "Friday 28 November 2026  05:16:01 +0000 (0:00:00.791)       0:00:30.123 ******",
            "===============================================================================",
            "corp.infra.network : Create the VPC corp-vpc-main-bench1 ----------------- 0.86s",
            "corp.infra.verify : Check the live stack against Security Hub foundational controls --- 1.78s",
            "Read the account id ------------------------------------------------------- 0.69s",
            "a task whose name - has - dashes -------------------------------------------- 12.50s",
        ]
    )
    rows = report.parse_profile(text)
    assert rows == [
        ("a task whose name - has - dashes", 12.5),
        ("corp.infra.verify : Check the live stack against Security Hub foundational controls", 1.78),
        ("corp.infra.network : Create the VPC corp-vpc-main-bench1", 0.86),
        ("Read the account id", 0.69),
    ]
    by_role = report.profile_by_role(rows)
    assert by_role[0] == ("(play)", pytest.approx(13.19), 2)
    assert ("corp.infra.network", 0.86, 1) in by_role


def test_render_has_every_section_and_the_targets():
    summaries = _summaries()
    summaries["check"] = {"corp": report.summarize([measurement(25.0, 90)]), "baseline": report.summarize([measurement(20.0, 80)])}
    summaries["role:network"] = {"corp": report.summarize([measurement(10.0, 50)])}
    text = report.render(summaries, {"runs": 1, "when": "now", "machine": "2 CPUs"}, [("corp.infra.network : Create the VPC", 0.86)])
    for heading in ("## Whole stack", "## Per role", "## Three environments in one run", "## Targets (issue 10)", "## Profile"):
        assert heading in text
    assert "| (b) no-op re-run | corp.infra | 20.0 | 100 | 200 | 100 | 0 |" in text
    assert "|  | ratio | 0.50x | 0.67x | 1.00x | 1.00x |  |" in text
    assert "| network | corp.infra | 10.0 | 50 | 200 | 100 | 0 | 0.50x |" in text
    assert "| s3 | corp.infra | n/a |" in text  # a role that did not run
    assert "| 3. verify wall time / no-op converge | 0.25x | <= 0.30x | 5.0 s / 20.0 s | PASS |" in text


def test_render_profile_only_shows_just_the_profile():
    text = report.render({"profile": {}}, {"when": "now", "machine": "2 CPUs"}, [("corp.infra.network : Create the VPC", 0.86)])
    assert "## Profile" in text and "| corp.infra.network : Create the VPC | 0.86 |" in text
    assert "## Whole stack" not in text and "## Targets" not in text
