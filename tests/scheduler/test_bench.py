"""The synthetic schools and the benchmark's plumbing (the figures themselves are measured by
`python -m scheduler.bench`, never by timed tests)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from statistics import mean

import pytest

from scheduler import bench, generate_school
from scheduler.domain import SPECIAL_NEEDS_TEACHER

HERE = Path(__file__).parent


@pytest.mark.parametrize("size", [20, 50, 100])
def test_synthetic_schools_have_realistic_loads(size):
    school = generate_school(size, seed=0)  # construction already rejects teacher clashes
    assert len(school.teachers) == size
    assert {s.day for s in school.slots} == {"Mo", "Tu", "We", "Th", "Fr"}
    assert len(school.slots) in (35, 40)
    load = Counter()
    for x in school.lessons:
        load[x.teacher] += x.hours
    assert 19 <= mean(load[t.id] for t in school.teachers) <= 24
    assert any(t.profession == SPECIAL_NEEDS_TEACHER for t in school.teachers)
    assert any(g.group_support or g.pupil_support for g in school.groups)
    assert school.teams


def test_synthetic_schools_are_seeded():
    assert generate_school(20, seed=3) == generate_school(20, seed=3)
    assert generate_school(20, seed=3) != generate_school(20, seed=4)


def test_target_rules():
    xhstt = {
        "kind": "xhstt",
        "teachers": 18,
        "status": "feasible",
        "gap_percent": 0.9,
        "first_solution_seconds": 0.1,
        "peak_mib": 100,
        "time_limit_seconds": 10.0,
        "wall_seconds": 10.4,
    }
    assert bench._target(xhstt) == "met"
    assert bench._target({**xhstt, "gap_percent": 1.1}) == "missed: gap"
    assert bench._target({**xhstt, "wall_seconds": 11.2}) == "missed: limit"
    assert bench._target({**xhstt, "wall_seconds": 11.2, "deterministic": True}) == "met"
    big = {
        "kind": "synthetic",
        "teachers": 200,
        "status": "feasible",
        "gap_percent": 2.9,
        "first_solution_seconds": 3.5,
        "peak_mib": 900,
        "time_limit_seconds": 60.0,
        "wall_seconds": 60.2,
    }
    assert bench._target(big) == "missed: first"
    assert bench._target({**big, "teachers": 100, "gap_percent": 1.4}) == "met"
    assert bench._target({**big, "teachers": 100, "gap_percent": 1.6}) == "missed: gap"
    assert bench._target({**big, "teachers": 50}) == "met"  # the limit only


def test_the_summary_counts_the_runs_that_met_the_target():
    rows = [
        {"instance": "synthetic-200", "target": target, "gap_percent": gap}
        for target, gap in (("met", 2.1), ("met", 2.9), ("missed: gap", 3.4))
    ]
    assert bench.summary(rows) == "synthetic-200: target met in 2 of 3 run(s), gap 2.10-3.40 %"


def test_bench_runs_each_instance_and_seed_in_a_child_and_reports_every_column(tmp_path, capsys):
    shutil.copy(HERE / "data" / "tiny-school.xhstt.xml", tmp_path / "tiny.xml")
    arguments = [str(tmp_path), "--sizes", "", "--time-limit", "2", "--deterministic"]
    assert bench.main([*arguments, "--seeds", "0,3", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(row["instance"], row["seed"], row["valid"]) for row in rows] == [
        ("tiny", 0, "yes"),
        ("tiny", 3, "yes"),
    ]
    assert rows[0]["peak_mib"] > 10  # the child's own resident set, from wait4
    assert {key for _, key, _ in bench.COLUMNS} <= set(rows[0])
    assert bench.table(rows).count("\n") == 3
    assert bench.summary(rows).startswith("tiny: target met in 2 of 2 run(s)")


def test_the_package_never_imports_flask_or_sqlalchemy():
    code = (
        "import sys, scheduler, scheduler.bench, scheduler.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy')))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parent.parent,
    )
    assert run.stdout.strip() == "[]"
