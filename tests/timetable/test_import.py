"""Importing a timetable: every bad row reported, all or nothing, re-import keeps what applies."""

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from pdservice.coteaching.enums import DecisionState, RunStatus
from pdservice.coteaching.models import CoTeachingAssignment, CoTeachingPreference, SolveRun
from pdservice.extensions import db
from pdservice.timetable.models import Lesson, LessonSlot, PeriodSlot, Term
from tests.timetable.factories import TINY_CSV, import_csv, lesson_id

DATA = Path(__file__).parent / "data"
HEADER = TINY_CSV.splitlines()[0]


def counts(app, term_id):
    with app.app_context():
        result = {
            "lessons": db.session.scalar(
                sa.select(sa.func.count(Lesson.id)).where(Lesson.term_id == term_id)
            ),
            "slots": db.session.scalar(
                sa.select(sa.func.count(PeriodSlot.id)).where(PeriodSlot.term_id == term_id)
            ),
            "version": db.session.get(Term, term_id).timetable_version,
        }
        db.session.remove()
        return result


def test_a_good_file_builds_the_term(app, school):
    assert counts(app, school.term_id) == {"lessons": 9, "slots": 6, "version": 1}
    with app.app_context():
        term = db.session.get(Term, school.term_id)
        assert term.source == "csv" and term.import_info["counts"]["lesson_hours"] == 9


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(app, school):
    bad = TINY_CSV + "\n".join(
        [
            "lesson,mo,1,,,3B,,,,,MA,nobody@example.org,B9,",  # line 19: unknown teacher
            "lesson,mo,1,,,3B,,,,,MA,sam.special@example.org,B3,",  # line 20: 3B clashes
            "lesson,we,1,,,3A,,,,,MA,teacher.a@example.org,A1,",  # line 21: not in the grid
            "lesson,mo,3,,,3A,,,,,MA,teacher.a@example.org,B1,",  # line 22: room B1 taken
            "period,mo,4,10:00,10:30",  # line 23: starts before period 3 ends
        ]
    )
    outcome, _ = import_csv(app, school.unit.code, "Autumn 2025", bad)
    errors = {(e.line, e.column) for e in outcome.parsed.errors}
    assert {(19, "teacher"), (20, "group"), (21, "period"), (22, "room"), (23, "start")} <= errors
    messages = " ".join(e.message for e in outcome.parsed.errors)
    assert "Unknown teacher nobody@example.org" in messages
    assert "Clashes with the lesson on line 14" in messages
    assert "not in the week's grid" in messages
    assert counts(app, school.term_id) == {"lessons": 9, "slots": 6, "version": 1}


@pytest.mark.parametrize(
    "rows, message",
    [
        (["lesson,mo,1,,,3A,,,,,MA,teacher.a@example.org,A1,"], "no period rows"),
        (["period,xx,1,8:00,8:45", "lesson,xx,1,,,3A,,,,,MA,a@b.c,,"], "Unknown day xx"),
        (["period,mo,1,9:00,8:00"], "ends before it starts"),
        (["group,,,,,3A,3,10,group,11"], "More pupils with pupil-specific support"),
        (["group,,,,,3A,3,10,maybe,0"], "Support is none or group"),
    ],
)
def test_bad_files_explain_themselves(app, school, rows, message):
    outcome, _ = import_csv(app, school.unit.code, "Spring", "\n".join([HEADER, *rows]))
    assert not outcome.ok
    assert message in " ".join(e.message for e in outcome.parsed.errors)


def test_reimport_replaces_the_term_and_keeps_what_still_applies(app, school, solve_now):
    # Decisions and wishes made on the first import...
    pinned = lesson_id(app, school.term_id, "3A-MA-Mo1")
    moved = lesson_id(app, school.term_id, "3A-MA-Tu1")
    with app.app_context():
        db.session.add_all(
            [
                CoTeachingAssignment(
                    term_id=school.term_id,
                    lesson_id=pinned,
                    coteacher_id=school.sam.id,
                    state=DecisionState.ACCEPTED,
                    pinned=True,
                ),
                CoTeachingAssignment(
                    term_id=school.term_id,
                    lesson_id=moved,
                    coteacher_id=school.sam.id,
                    state=DecisionState.ACCEPTED,
                    pinned=True,
                ),
                CoTeachingPreference(term_id=school.term_id, user_id=school.bea.id, max_lessons=3),
            ]
        )
        db.session.commit()
        db.session.remove()
    # ...survive a new version of the file when they still apply: 3A-MA-Tu1 now clashes with
    # Sam's new lesson, 3B's English lesson is gone, a new lesson appears.
    second = TINY_CSV.replace(
        "lesson,mo,2,,,3B,,,,,EN,sam.special@example.org,B2,",
        "lesson,tu,1,,,3B,,,,,EN,sam.special@example.org,B2,",
    ).replace(
        "lesson,mo,1,,,3B,,,,,AI,bea.class@example.org,B1,",
        "lesson,mo,2,,,3B,,,,,AI,bea.class@example.org,B1,",
    )
    outcome, term_id = import_csv(app, school.unit.code, "Autumn 2025", second)
    assert outcome.ok, outcome.parsed.errors
    assert term_id == school.term_id
    assert counts(app, term_id) == {"lessons": 9, "slots": 6, "version": 2}
    with app.app_context():
        decisions = {
            d.lesson.code: d
            for d in db.session.scalars(
                sa.select(CoTeachingAssignment).where(CoTeachingAssignment.term_id == term_id)
            )
        }
        assert set(decisions) == {"3A-MA-Mo1"}  # Sam now teaches at Tu1
        assert decisions["3A-MA-Mo1"].lesson_id == pinned  # the same row, kept
        assert db.session.scalar(sa.select(sa.func.count(CoTeachingPreference.id))) == 1
        codes = set(db.session.scalars(sa.select(Lesson.code).where(Lesson.term_id == term_id)))
        assert "3B-AI-Mo2" in codes and "3B-AI-Mo1" not in codes
    notes = " ".join(outcome.report.notes)
    assert "1 co-teaching decision still applies" in notes
    assert "1 co-teaching decision no longer applies" in notes


def test_a_run_made_before_a_reimport_cannot_be_reviewed(app, school, solve_now, login, client):
    run_id, _ = solve_now(school.term_id)
    import_csv(app, school.unit.code, "Autumn 2025", TINY_CSV)
    login(school.principal)
    with app.app_context():
        run = db.session.get(SolveRun, run_id)
        item = run.proposals[0].lessons[0].id
    response = client.post(f"/coteaching/proposal-lessons/{item}/decide", data={"action": "pin"})
    assert response.status_code == 409
    assert "a newer run or a new timetable replaced it" in response.get_data(as_text=True)


def test_import_page_lists_errors_with_422_and_imports_nothing(app, client, login, school):
    login(school.principal)
    bad = TINY_CSV + "lesson,mo,1,,,3B,,,,,MA,nobody@example.org,B9,\n"
    response = client.post(
        f"/timetable/units/{school.unit.id}/import",
        data={"term": str(school.term_id), "file": (io.BytesIO(bad.encode()), "week.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was imported: 1 problems" in page and '<td class="num">19</td>' in page
    assert counts(app, school.term_id)["version"] == 1


def test_import_page_creates_a_new_term(app, client, login, school):
    login(school.principal)
    response = client.post(
        f"/timetable/units/{school.unit.id}/import",
        data={
            "term": "new",
            "new_term": "Spring 2026",
            "file": (io.BytesIO(TINY_CSV.encode("utf-8-sig")), "week.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        term = db.session.scalar(sa.select(Term).where(Term.name == "Spring 2026"))
        assert term.has_timetable and term.starts_on.month == 1
        assert term.imported_by.email == "principal.a@example.org"


def test_another_units_principal_cannot_import_or_change_a_term(app, client, login, school, world):
    login(world.principal_b)
    response = client.post(
        f"/timetable/units/{school.unit.id}/import",
        data={"term": str(school.term_id), "file": (io.BytesIO(TINY_CSV.encode()), "w.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 404
    edit = client.post(
        f"/timetable/terms/{school.term_id}/edit",
        data={"name": "Hijacked", "starts_on": "2025-08-01", "ends_on": "2025-12-31"},
    )
    assert edit.status_code == 404
    with app.app_context():
        assert db.session.get(Term, school.term_id).name == "Autumn 2025"
    assert counts(app, school.term_id)["version"] == 1


def test_no_import_while_a_run_of_the_unit_is_active(app, client, login, school):
    with app.app_context():
        db.session.add(
            SolveRun(unit_id=school.unit.id, term_id=school.term_id, status=RunStatus.QUEUED)
        )
        db.session.commit()
    login(school.principal)
    response = client.post(
        f"/timetable/units/{school.unit.id}/import",
        data={"term": str(school.term_id), "file": (io.BytesIO(TINY_CSV.encode()), "w.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    assert "solve run of this unit is in progress" in response.get_data(as_text=True)


def test_the_database_refuses_a_teacher_in_two_lessons_at_once(app, school):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        existing = db.session.scalars(
            sa.select(LessonSlot).where(LessonSlot.teacher_id == school.teacher.id)
        ).first()
        other = db.session.scalar(sa.select(Lesson).where(Lesson.code == "3B-MA-Mo3"))
        db.session.add(
            LessonSlot(
                lesson_id=other.id,
                slot_id=existing.slot_id,
                teacher_id=school.teacher.id,
                group_id=other.group_id,
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


# --- XHSTT -------------------------------------------------------------------------------------
def test_xhstt_import_maps_teachers_to_staff_and_picks_the_solution(app, school):
    data = (DATA / "tiny_xhstt.xml").read_bytes()
    first, term_id = import_csv(app, school.unit.code, "XHSTT", data, "tiny.xml")
    assert first.ok and first.format == "xhstt", first.parsed.errors
    with app.app_context():
        term = db.session.get(Term, term_id)
        mapping = term.import_info["teacher_map"]
        assert set(mapping) == {"T1", "T2", "SN"}
        # The lightest-loaded teacher is the importer's specialist: Sam, the unit's one.
        assert mapping["SN"] == school.sam.id
        mo1 = db.session.scalar(sa.select(Lesson).where(Lesson.code == "E1"))
        assert [s.code for s in mo1.slots] == ["Mo-1", "Mo-2"]
    second, _ = import_csv(app, school.unit.code, "XHSTT", data.replace(b"", b""), "tiny.xml")
    assert second.ok
    with app.app_context():
        assert db.session.get(Term, term_id).import_info["teacher_map"] == mapping


def test_xhstt_second_solution_and_a_missing_one(app, school, runner):
    path = DATA / "tiny_xhstt.xml"
    result = runner.invoke(
        args=[
            "timetable",
            "import",
            str(path),
            "--unit",
            school.unit.code,
            "--term",
            "X2",
            "--solution",
            "2",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Imported XHSTT tiny_xhstt.xml" in result.output
    with app.app_context():
        e1 = db.session.scalar(
            sa.select(Lesson).join(Term).where(Term.name == "X2", Lesson.code == "E1")
        )
        assert [s.code for s in e1.slots] == ["Tu-1", "Tu-2"]
    missing = runner.invoke(
        args=[
            "timetable",
            "import",
            str(path),
            "--unit",
            school.unit.code,
            "--term",
            "X3",
            "--solution",
            "3",
        ]
    )
    assert missing.exit_code == 1
    assert "solution index 2 is out of range" in missing.output


def test_xhstt_import_needs_enough_staff(app, world):
    outcome, _ = import_csv(
        app, world.unit_a.code, "X", (DATA / "tiny_xhstt.xml").read_bytes(), "t.xml"
    )
    assert not outcome.ok
    assert (
        "has only 1 class, subject and special-needs teachers" in outcome.parsed.errors[0].message
    )


def test_cli_import_reports_bad_rows_and_exits_1(app, school, runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(TINY_CSV + "lesson,mo,1,,,3B,,,,,MA,nobody@example.org,B9,\n")
    result = runner.invoke(
        args=["timetable", "import", str(path), "--unit", school.unit.code, "--term", "Autumn 2025"]
    )
    assert result.exit_code == 1
    assert "line 19 [teacher]: Unknown teacher nobody@example.org" in result.output
    assert counts(app, school.term_id)["version"] == 1
    assert (
        runner.invoke(
            args=["timetable", "import", str(path), "--unit", "nowhere", "--term", "T"]
        ).exit_code
        == 2
    )


def test_the_example_file_is_valid(app, make_unit, make_user):
    """The README's example imports into a unit with the demo staff it names."""
    from pdservice.core.enums import Profession

    example = Path(__file__).resolve().parents[2] / "examples" / "timetable" / "example.csv"
    unit = make_unit("koivu")
    text = example.read_text(encoding="utf-8")
    for email in sorted(
        {line.split(",")[13] for line in text.splitlines() if line.startswith("lesson")}
    ):
        make_user(email=email, units=[unit], profession=Profession.CLASS_TEACHER)
    outcome, _ = import_csv(app, "koivu", "Example", text)
    assert outcome.ok, outcome.parsed.errors
    assert outcome.report.counts["lessons"] > 50


# --- correcting an XHSTT file's teacher matching ------------------------------------------------
def _matching(app, term_id):
    with app.app_context():
        mapping = dict(db.session.get(Term, term_id).import_info["teacher_map"])
        db.session.remove()
        return mapping


def test_a_teacher_matching_list_chooses_the_staff_members(app, school):
    data = (DATA / "tiny_xhstt.xml").read_bytes()
    auto, term_id = import_csv(app, school.unit.code, "XM", data, "tiny.xml")
    assert auto.ok
    automatic = _matching(app, term_id)
    # Swap the two mainstream teachers, one by e-mail and one by name; SN stays automatic.
    swapped = {"T1": automatic["T2"], "T2": automatic["T1"]}
    people = {school.teacher.id: school.teacher, school.bea.id: school.bea}
    text = (
        "# corrections\n\n"
        f"T1 = {people[swapped['T1']].email.upper()}\n"
        f"T2; {people[swapped['T2']].name}\n"
    )
    outcome, _ = import_csv(app, school.unit.code, "XM", data, "tiny.xml", matching=text)
    assert outcome.ok, outcome.parsed.errors
    assert _matching(app, term_id) == {**swapped, "SN": automatic["SN"]}
    with app.app_context():
        e1 = db.session.scalar(sa.select(Lesson).where(Lesson.term_id == term_id))
        assert e1.teacher_id in set(swapped.values()) | {automatic["SN"]}
        owners = {
            ls.teacher_id
            for ls in db.session.scalars(
                sa.select(LessonSlot).join(Lesson).where(Lesson.term_id == term_id)
            )
        }
        assert owners <= set(_matching(app, term_id).values())
    # Importing again without a list keeps the corrected matching.
    again, _ = import_csv(app, school.unit.code, "XM", data, "tiny.xml")
    assert again.ok
    assert _matching(app, term_id) == {**swapped, "SN": automatic["SN"]}


def test_a_bad_teacher_matching_list_reports_every_line_and_imports_nothing(app, school):
    data = (DATA / "tiny_xhstt.xml").read_bytes()
    text = (
        "T1 = nobody@example.org\n"  # 1: not a teacher of the unit
        "just a name\n"  # 2: no separator
        f"T2 = {school.bea.email}\n"  # 3: fine
        f"SN = {school.bea.email}\n"  # 4: Bea twice
        "T2 = whoever\n"  # 5: T2 twice
    )
    outcome, term_id = import_csv(app, school.unit.code, "XBAD", data, "tiny.xml", matching=text)
    assert not outcome.ok and term_id is None
    lines = {e.line: e.message for e in outcome.parsed.errors}
    assert set(lines) == {1, 2, 4, 5}
    assert "nobody@example.org is not a class, subject or special-needs teacher" in lines[1]
    assert "XHSTT id = e-mail address or name" in lines[2]
    assert "Bea Class is already matched on line 3" in lines[4]
    assert "T2 is already matched on line 3" in lines[5]
    unknown, _ = import_csv(
        app, school.unit.code, "XBAD", data, "tiny.xml", matching=f"T9 = {school.bea.email}"
    )
    assert not unknown.ok
    assert "The file has no teacher T9" in unknown.parsed.errors[0].message
    csv, _ = import_csv(app, school.unit.code, "XBAD", TINY_CSV, matching="T1 = x")
    assert not csv.ok
    assert "applies to XHSTT files only" in csv.parsed.errors[0].message
    with app.app_context():
        # Not even the new term was created.
        assert db.session.scalar(sa.select(Term).where(Term.name == "XBAD")) is None


def test_the_matching_shows_on_the_term_page_and_prefills_the_import_form(
    app, client, login, school
):
    data = (DATA / "tiny_xhstt.xml").read_bytes()
    outcome, term_id = import_csv(app, school.unit.code, "XP", data, "tiny.xml")
    assert outcome.ok
    login(school.principal)
    page = client.get(f"/timetable/terms/{term_id}")
    assert page.status_code == 200
    assert "Teachers of the XHSTT file" in page.text
    assert school.sam.email in page.text
    form = client.get(f"/timetable/units/{school.unit.id}/import?term={term_id}")
    assert f"SN = {school.sam.email}" in form.text
    login(school.teacher)
    assert "Teachers of the XHSTT file" not in client.get(f"/timetable/terms/{term_id}").text


def test_cli_import_takes_a_teacher_matching_file(app, school, runner, tmp_path):
    matching = tmp_path / "teachers.txt"
    matching.write_text(f"SN = {school.bea.email}\nT1 = {school.sam.email}\n", encoding="utf-8")
    result = runner.invoke(
        args=[
            "timetable",
            "import",
            str(DATA / "tiny_xhstt.xml"),
            "--unit",
            school.unit.code,
            "--term",
            "XC",
            "--teachers",
            str(matching),
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        term = db.session.scalar(sa.select(Term).where(Term.name == "XC"))
        assert term.import_info["teacher_map"]["SN"] == school.bea.id
        assert term.import_info["teacher_map"]["T1"] == school.sam.id
