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
        "residual_percent": 4.0,
        "first_solution_seconds": 0.1,
        "peak_mib": 100,
    }
    assert bench._target(xhstt) == "met"
    assert bench._target({**xhstt, "residual_percent": 6.0}) == "missed"
    big = {
        "kind": "synthetic",
        "teachers": 200,
        "status": "feasible",
        "gap_percent": 4.0,
        "residual_percent": 30.0,
        "first_solution_seconds": 6.0,
        "peak_mib": 900,
    }
    assert bench._target(big) == "missed: first"
    assert bench._target({**big, "teachers": 50}) == "-"


def test_bench_runs_each_instance_in_a_child_and_reports_every_column(tmp_path, capsys):
    shutil.copy(HERE / "data" / "tiny-school.xhstt.xml", tmp_path / "tiny.xml")
    assert (
        bench.main([str(tmp_path), "--sizes", "", "--time-limit", "2", "--deterministic", "--json"])
        == 0
    )
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["instance"] == "tiny" and row["valid"] == "yes"
    assert row["peak_mib"] > 10  # the child's own resident set, from wait4
    assert {key for _, key, _ in bench.COLUMNS} <= set(row)
    assert bench.table([row]).count("\n") == 2


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
