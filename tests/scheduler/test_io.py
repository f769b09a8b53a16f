"""Reading and writing: the package's JSON format, the XHSTT importer (on a small fixture of
its own, quick to solve), the CSV overlay, and the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scheduler import ProblemError, solve
from scheduler.cli import main
from scheduler.jsonio import dump_json, load_json, load_request
from scheduler.xhstt import XhsttError, load_xhstt
from tests.scheduler.builders import FAST

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
TINY = HERE / "data" / "tiny-school.xhstt.xml"
EXAMPLE = ROOT / "examples" / "scheduler" / "small-school.json"


# --- XHSTT ----------------------------------------------------------------------------------
def test_xhstt_import_reads_the_timetable_of_the_chosen_solution():
    problem = load_xhstt(TINY)
    assert [s.id for s in problem.slots] == ["Mo_1", "Mo_2", "Mo_3", "Tu_1", "Tu_2", "Tu_3"]
    lessons = {x.id: x for x in problem.lessons}
    assert lessons["Event_C001_1"].slots == ("Mo_1", "Mo_2")  # a double lesson
    assert lessons["Event_C002_1"].groups == ("S3A", "S3B")  # a combined lesson
    assert lessons["Event_C001_1"].teacher == "AAA"
    assert problem.teacher("CCC").unavailable == {"Mo_3"}
    # Subjects come from what teachers teach (the XHSTT course).
    assert problem.teacher("AAA").subjects == {"C001"}
    assert {g.id: g.grade for g in problem.groups} == {"S3A": 3, "S3B": 3}
    second = load_xhstt(TINY, solution_index=1)
    assert {x.id: x.slots for x in second.lessons}["Event_C001_1"] == ("Tu_1", "Tu_2")


def test_xhstt_defaults_are_seeded_and_documented_roles_exist():
    first, again = load_xhstt(TINY), load_xhstt(TINY)
    assert first == again
    # The lightest-loaded eighth (rounded up) act as special-needs teachers.
    assert [t.id for t in first.teachers if t.is_specialist] == ["BBB"]
    assert all(t.profession == "class_teacher" for t in first.teachers if not t.is_specialist)


def test_xhstt_import_solves_end_to_end():
    result = solve(load_xhstt(TINY), FAST)
    assert result.status in ("optimal", "feasible") and result.violations == []


def test_xhstt_overlay_sets_professions_needs_and_teams(tmp_path):
    overlay = tmp_path / "overlay.csv"
    overlay.write_text(
        "kind,id,profession,capacity,willing,group_support,pupil_support,members,length\n"
        "teacher,CCC,special_needs_teacher,6,true,,,,\n"
        "teacher,BBB,subject_teacher,,false,,,,\n"
        "group,S3B,,,,true,4,,\n"
        "team,welfare,,,,,,AAA CCC,2\n",
        encoding="utf-8",
    )
    problem = load_xhstt(TINY, overlay=overlay)
    assert problem.teacher("CCC").profession == "special_needs_teacher"
    assert problem.teacher("CCC").capacity == 6
    assert problem.teacher("BBB").willing is False
    assert problem.group("S3B").group_support and problem.group("S3B").pupil_support == 4
    assert [(t.id, t.members, t.length) for t in problem.teams] == [("welfare", ("AAA", "CCC"), 2)]


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("teacher,ZZZ,,", "unknown teacher 'ZZZ'"),
        ("teacher,AAA,wizard,", "unknown profession 'wizard'"),
        ("teacher,AAA,,x", "capacity must be an integer"),
        ("planet,AAA,,", "kind must be teacher, group or team"),
    ],
)
def test_xhstt_overlay_errors_name_the_line(tmp_path, row, fragment):
    overlay = tmp_path / "overlay.csv"
    overlay.write_text(f"kind,id,profession,capacity\n{row}\n", encoding="utf-8")
    with pytest.raises(ProblemError, match=fragment) as error:
        load_xhstt(TINY, overlay=overlay)
    assert "overlay.csv:2: " in str(error.value)


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda x: x[:200], "not well-formed XML"),
        (
            lambda x: x.replace("<Instances>", "<Nothing>").replace("</Instances>", "</Nothing>"),
            "no Instances/Instance",
        ),
        (
            lambda x: x.replace(
                '<Time Reference="Tu_2"/></Event>', '<Time Reference="Xx_9"/></Event>'
            ),
            "unknown time 'Xx_9'",
        ),
        (
            lambda x: x.replace(
                '<Event Reference="Event_C001_2"><Duration>1</Duration><Time Reference="Tu_1"/>',
                '<Event Reference="Event_C001_2"><Duration>2</Duration><Time Reference="Mo_3"/>',
            ),
            "runs past the end of the day",
        ),
        (
            lambda x: x.replace(
                '<Event Reference="Event_C002_1"><Duration>1</Duration><Time Reference="Mo_3"/>',
                '<Event Reference="Event_C002_1"><Duration>1</Duration><Time Reference="Tu_1"/>',
            ).replace(
                '<Resource Reference="BBB"><Role>Teacher</Role>',
                '<Resource Reference="AAA"><Role>Teacher</Role>',
            ),
            "teacher 'AAA' teaches lessons",
        ),
        (
            lambda x: x.replace(
                "<Duration>2</Duration><Course", "<Duration>two</Duration><Course", 1
            ),
            "is not an integer",
        ),
    ],
    ids=["truncated", "no-instance", "unknown-time", "past-day-end", "teacher-clash", "bad-int"],
)
def test_malformed_xhstt_is_a_clear_error(mutate, fragment):
    text = TINY.read_text(encoding="utf-8")
    with pytest.raises(ProblemError, match=fragment):
        load_xhstt(mutate(text).encode())


def test_xhstt_solution_index_out_of_range():
    with pytest.raises(XhsttError, match="the file has 2 solution"):
        load_xhstt(TINY, solution_index=5)


# --- JSON -----------------------------------------------------------------------------------
def test_the_example_file_loads_with_parameters():
    request = load_request(EXAMPLE)
    assert request.problem.name == "Example primary school"
    assert request.parameters.time_limit_seconds == 5
    assert len(request.problem.slots) == 30


def test_json_round_trip_keeps_the_problem(tmp_path):
    problem = load_xhstt(TINY)
    text = dump_json(problem)
    assert load_json(text.encode()) == problem
    path = tmp_path / "school.json"
    path.write_text(text, encoding="utf-8")
    assert load_json(path) == problem


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d.update(colour="red"), "unknown key(s) colour"),
        (lambda d: d["teachers"][0].update(capacity="four"), "teachers[0].capacity must be int"),
        (lambda d: d["teachers"][0].update(capacity=-3), "capacity -3 is negative"),
        (lambda d: d["lessons"][0].update(teacher="nobody"), "teacher 'nobody' is unknown"),
        (lambda d: d["lessons"][0].update(slots=["Su_9"]), "slot 'Su_9' does not exist"),
        (lambda d: d["lessons"][0].pop("group"), "give exactly one of group or groups"),
        (lambda d: d.update(format="other/2"), "format: expected"),
        (lambda d: d.update(parameters={"min_lessons": 0}), "min_lessons"),
        (lambda d: d.update(previous={"assignments": [{"lesson": "x"}]}), "teacher is required"),
    ],
)
def test_bad_json_names_the_offending_item(change, fragment):
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(ProblemError) as error:
        load_request(data)
    assert fragment in str(error.value)


def test_invalid_json_text_is_a_clear_error():
    with pytest.raises(ProblemError, match="not valid JSON"):
        load_json(b"{nope")


# --- command line ---------------------------------------------------------------------------
def test_cli_json_output_has_the_documented_fields(capsys):
    assert (
        main(
            [
                "solve",
                str(EXAMPLE),
                "--time-limit",
                "2",
                "--workers",
                "1",
                "--deterministic",
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "optimal"
    assert data["parameters"]["time_limit_seconds"] == 2
    assert data["teachers"] == 6 and data["lessons"] == 28
    for proposal in data["proposals"]:
        assert len(proposal["teachers"]) == 2
        assert all({"lesson", "group", "slots"} <= set(x) for x in proposal["lessons"])
    assert {m["team"] for m in data["meetings"]} == {"welfare", "grade-3"}


def test_cli_readable_report(capsys):
    assert main(["solve", str(TINY), "--time-limit", "2", "--seed", "3", "--deterministic"]) == 0
    out = capsys.readouterr().out
    assert "Co-teaching plan for TinySchool" in out and "Status:" in out


def test_cli_convert_writes_package_json(tmp_path):
    out = tmp_path / "tiny.json"
    assert main(["convert", str(TINY), "--out", str(out)]) == 0
    assert load_json(out) == load_xhstt(TINY)


@pytest.mark.parametrize(
    "content",
    [
        '{"format": "pdservice-coteaching/1", "days": ["Mo"], "periods_per_day": 2,'
        ' "teachers": [{"id": "A", "capacity": -1}], "groups": [], "lessons": []}',
        "<HighSchoolTimetableArchive><broken>",
    ],
)
def test_cli_bad_input_exits_2_without_traceback(tmp_path, content):
    path = tmp_path / ("bad.json" if content.startswith("{") else "bad.xml")
    path.write_text(content, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "scheduler", "solve", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr.startswith("error: ")
    assert "Traceback" not in run.stderr


def test_cli_missing_file_exits_2(capsys):
    assert main(["solve", "no/such/file.json"]) == 2
    assert "no such file" in capsys.readouterr().err
