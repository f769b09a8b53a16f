"""Demo step: the teams every demo school has (student welfare, KiVa, grade levels,
leadership, a subject team), each meeting weekly where its members can."""

from __future__ import annotations

from collections import Counter, defaultdict

import sqlalchemy as sa

from pdservice.core.enums import Language, Profession
from pdservice.core.models import Unit, User
from pdservice.extensions import db
from pdservice.teams.enums import TeamKind
from pdservice.teams.models import Team, TeamMember
from pdservice.teams.services import has_free_window
from pdservice.timetable.demo import demo_term_name, demo_units
from pdservice.timetable.models import Lesson
from pdservice.timetable.services import find_term, teaching_slots, term_slots, unit_staff

P = Profession
NAMES = {
    Language.FI: {
        "welfare": "Oppilashuoltoryhmä",
        "kiva": "KiVa-tiimi",
        "leadership": "Johtoryhmä",
        "languages": "Kielten tiimi",
        "grades": "Vuosiluokkien {a}–{b} tiimi",
    },
    Language.SV: {
        "welfare": "Elevvårdsgruppen",
        "kiva": "KiVa-teamet",
        "leadership": "Ledningsgruppen",
        "languages": "Språkteamet",
        "grades": "Årskurs {a}–{b} teamet",
    },
}


def seed(ctx) -> None:
    for unit in demo_units():
        if db.session.scalar(sa.select(Team.id).where(Team.unit_id == unit.id).limit(1)):
            continue
        term = find_term(unit, demo_term_name(unit))
        rng = ctx.rng(f"teams:{unit.code}")
        staff = unit_staff(unit.id)
        of = defaultdict(list)
        for user in staff:
            of[user.profession].append(user)
        names = NAMES.get(unit.language, NAMES[Language.FI])
        teachers = of[P.CLASS_TEACHER] + of[P.SUBJECT_TEACHER]
        drafts: list[tuple[str, TeamKind, int, list[User]]] = [
            (
                names["welfare"],
                TeamKind.STUDENT_WELFARE,
                2,
                of[P.PRINCIPAL]
                + of[P.SPECIAL_NEEDS_TEACHER][:1]
                + of[P.PSYCHOLOGIST]
                + of[P.SCHOOL_SOCIAL_WORKER]
                + of[P.NURSE],
            ),
            (names["kiva"], TeamKind.KIVA, 1, rng.sample(teachers, min(3, len(teachers)))),
            (
                names["leadership"],
                TeamKind.LEADERSHIP,
                1,
                of[P.PRINCIPAL] + of[P.VICE_PRINCIPAL] + of[P.GUIDANCE_COUNSELLOR][:1],
            ),
        ]
        for (a, b), members in sorted(_class_teachers_by_grades(unit, term).items()):
            drafts.append((names["grades"].format(a=a, b=b), TeamKind.GRADE_LEVEL, 1, members))
        languages = _language_teachers(term)
        if len(languages) >= 2:
            drafts.append((names["languages"], TeamKind.SUBJECT, 1, languages))
        slots, busy = _week(term)
        for name, kind, length, members in drafts:
            unique = list({u.id: u for u in members}.values())
            if len(unique) < 2:
                continue
            team = Team(unit_id=unit.id, name=name, kind=kind, meeting_slots=length)
            team.members = [TeamMember(user_id=u.id) for u in unique]
            db.session.add(team)
            db.session.flush()
            # A team whose members never share a free period cannot meet weekly.
            team.needs_meeting = term is None or has_free_window(
                team.member_ids, slots, length, busy
            )
    db.session.flush()


def _week(term) -> tuple[list, dict[int, set[int]]]:
    """The term's periods, and who teaches in which of them."""
    if term is None:
        return [], {}
    return term_slots(term.id), teaching_slots(term.id)


def _class_teachers_by_grades(unit: Unit, term) -> dict[tuple[int, int], list[User]]:
    """Class teachers by the grade band (1–2, 3–4, 5–6) of the class they teach most."""
    if term is None:
        return {}
    hours: dict[int, Counter] = defaultdict(Counter)
    users: dict[int, User] = {}
    for lesson in db.session.scalars(sa.select(Lesson).where(Lesson.term_id == term.id)):
        if lesson.teacher.profession == P.CLASS_TEACHER and lesson.group.grade:
            hours[lesson.teacher_id][lesson.group.grade] += len(lesson.lesson_slots)
            users[lesson.teacher_id] = lesson.teacher
    bands: dict[tuple[int, int], list[User]] = defaultdict(list)
    for user_id, grades in hours.items():
        grade = grades.most_common(1)[0][0]
        low = grade - (grade + 1) % 2
        bands[(low, low + 1)].append(users[user_id])
    return {k: sorted(v, key=lambda u: u.name) for k, v in bands.items() if len(v) >= 2}


def _language_teachers(term) -> list[User]:
    if term is None:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Lesson, Lesson.teacher_id == User.id)
            .where(
                Lesson.term_id == term.id,
                User.profession == P.SUBJECT_TEACHER,
                Lesson.subject.has(code="EN") | Lesson.subject.has(code="RU"),
            )
            .distinct()
            .order_by(User.name)
        )
    )
