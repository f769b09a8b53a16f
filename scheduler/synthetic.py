"""Seeded synthetic comprehensive schools (grades 1-9) for the benchmark and tests.

A school of N teachers: about 40 % class teachers with a home class each, 10 % special-needs
teachers with small support groups, 3 % special-class teachers with a special class, the rest
subject teachers. Each group's weekly hours follow the Finnish minimum hours (about 20 in grade
1 up to 30 in grade 9), laid compactly from the first period of each day; each group-subject
gets one teacher, and lessons are placed period by period so no teacher is in two places.
Teachers end up with about 20-24 lessons a week on 5 days of 7 or 8 periods.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from . import defaults
from .domain import (
    CLASS_TEACHER,
    SPECIAL_CLASS_TEACHER,
    SPECIAL_NEEDS_TEACHER,
    SUBJECT_TEACHER,
    Group,
    Lesson,
    Problem,
    Slot,
    Teacher,
)

DAYS = ("Mo", "Tu", "We", "Th", "Fr")
#: Weekly hours per subject of a lower-secondary group (grades 7-9), about 30 in all.
SECONDARY_HOURS = {
    "FI": 3, "MA": 3, "EN": 2, "SV": 2, "BI": 2, "GE": 1, "PH": 2, "CH": 1, "HI": 2,
    "SO": 1, "RE": 1, "MU": 1, "VA": 2, "PE": 3, "CR": 2, "HE": 1, "GU": 1,
}  # fmt: skip
#: Subjects of a primary group taught by subject teachers (the class teacher does the rest).
PRIMARY_SUBJECT_HOURS = {"EN": 2, "SV": 1, "MU": 1, "PE": 2}
PRIMARY_SUBJECTS = tuple(sorted(PRIMARY_SUBJECT_HOURS))
SUBJECTS = tuple(sorted(SECONDARY_HOURS))
CLASS_TEACHER_SHARE = 0.40
SPECIAL_NEEDS_SHARE = 0.10
SPECIAL_CLASS_SHARE = 0.03
LOAD_RANGE = (20, 24)
SUPPORT_GROUPS = 1  # small-group pools per special-needs teacher
SUPPORT_GROUP_HOURS = 20  # weekly small-group lessons


@dataclass
class _School:
    rng: random.Random
    periods: int
    teachers: list[Teacher] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    # group -> list of (subject, teacher, hours) still to place
    courses: dict[str, list[list]] = field(default_factory=lambda: defaultdict(list))
    load: Counter[str] = field(default_factory=Counter)
    target: dict[str, int] = field(default_factory=dict)


def generate_school(teachers: int, seed: int = 0) -> Problem:
    """A seeded school of `teachers` teachers; the same arguments give the same school."""
    if teachers < 4:
        raise ValueError("a synthetic school needs at least 4 teachers")
    rng = random.Random(f"{teachers}-{seed}")
    school = _School(rng, periods=rng.choice((7, 8)))
    _staff(school, teachers)
    _primary_classes(school)
    _special_groups(school)
    _secondary_classes(school)
    slots = [Slot(f"{day}_{p}", day, p) for day in DAYS for p in range(1, school.periods + 1)]
    lessons = _timetable(school, slots)
    staff = [_with_subjects_taught(t, lessons) for t in defaults.with_wishes(school.teachers, rng)]
    staff = _with_unavailability(staff, lessons, slots, rng)
    draft = Problem(
        slots=tuple(slots),
        teachers=tuple(staff),
        groups=tuple(g for g in school.groups if any(g.id in x.groups for x in lessons)),
        lessons=tuple(lessons),
        last_term_pairs=defaults.last_term_pairs(staff, rng),
        name=f"synthetic-{teachers}-seed{seed}",
    )
    return replace(draft, teams=tuple(defaults.default_teams(draft, rng)))


def _staff(school: _School, count: int) -> None:
    rng = school.rng
    n_special = max(1, round(count * SPECIAL_NEEDS_SHARE))
    n_special_class = max(1, round(count * SPECIAL_CLASS_SHARE)) if count >= 20 else 0
    n_class = round(count * CLASS_TEACHER_SHARE)
    n_subject = count - n_special - n_special_class - n_class
    plan = (
        [SPECIAL_NEEDS_TEACHER] * n_special
        + [SPECIAL_CLASS_TEACHER] * n_special_class
        + [CLASS_TEACHER] * n_class
        + [SUBJECT_TEACHER] * n_subject
    )
    subject_cycle = list(SUBJECTS)
    rng.shuffle(subject_cycle)
    for number, profession in enumerate(plan, start=1):
        teacher_id = f"T{number:03d}"
        if profession == SUBJECT_TEACHER:
            # Every subject is covered by someone; a second subject for most.
            first = subject_cycle[(number - 1) % len(subject_cycle)]
            subjects = {first, rng.choice(SUBJECTS)} if rng.random() < 0.7 else {first}
        elif profession == CLASS_TEACHER:
            # Class teachers are generalists of grades 1-6 (see domain.is_competent); their
            # subject list is what they also teach outside their class, added later.
            subjects = set(rng.sample(PRIMARY_SUBJECTS, 1))
        else:
            subjects = set()
        specialist = profession in (SPECIAL_NEEDS_TEACHER, SPECIAL_CLASS_TEACHER)
        school.teachers.append(
            Teacher(
                teacher_id,
                name=f"Teacher {number}",
                profession=profession,
                subjects=frozenset(subjects),
                capacity=rng.randint(8, 10) if specialist else rng.randint(3, 6),
                willing=defaults.willing(rng),
                **defaults.competence_profile(rng),
            )
        )
        school.target[teacher_id] = rng.randint(*LOAD_RANGE)


def _of(school: _School, profession: str) -> list[Teacher]:
    return [t for t in school.teachers if t.profession == profession]


def _add_group(school: _School, group_id: str, grade: int, **need: object) -> None:
    if not need:
        group_support, pupil_support = defaults.support_need(school.rng)
        need = {"group_support": group_support, "pupil_support": pupil_support}
    size = need.pop("size", school.rng.randint(*defaults.GROUP_SIZE_RANGE))
    school.groups.append(Group(group_id, grade=grade, size=size, **need))


def _primary_classes(school: _School) -> None:
    """One home class per class teacher, grades 1-6 in turn; the class teacher teaches every
    hour except the languages, music and PE hours that subject teachers (or class teachers
    with spare load) take. Home-class hours are counted first, so loads stay even."""
    subject_hours: list[tuple[str, str, int]] = []
    for number, teacher in enumerate(_of(school, CLASS_TEACHER)):
        grade = number % 6 + 1
        group_id = f"{grade}{chr(ord('A') + number // 6)}"
        _add_group(school, group_id, grade)
        total = 19 + grade  # 20 hours in grade 1 .. 25 in grade 6
        others = dict(PRIMARY_SUBJECT_HOURS) if grade >= 3 else {"MU": 1, "PE": 2}
        own = total - sum(others.values())
        school.courses[group_id].append(["FI+MA+YM", teacher.id, own])
        school.load[teacher.id] += own
        subject_hours += [(group_id, subject, hours) for subject, hours in others.items()]
    for group_id, subject, hours in subject_hours:
        teacher_id = _subject_teacher(school, subject, primary=True)
        school.courses[group_id].append([subject, teacher_id, hours])


def _special_groups(school: _School) -> None:
    """A special class per special-class teacher; small support groups for special-needs
    teachers (pupils taken out of class for part-time special-needs teaching)."""
    for number, teacher in enumerate(_of(school, SPECIAL_CLASS_TEACHER), start=1):
        group_id = f"EK{number}"
        grade = school.rng.randint(1, 9)
        _add_group(school, group_id, grade, size=8, group_support=True, pupil_support=8)
        school.courses[group_id].append(["FI+MA+YM", teacher.id, 22])
        school.load[teacher.id] += 22
    for number, teacher in enumerate(_of(school, SPECIAL_NEEDS_TEACHER), start=1):
        for part in range(SUPPORT_GROUPS):
            group_id = f"PT{number}{chr(ord('a') + part)}"
            _add_group(school, group_id, school.rng.randint(1, 9), size=4, pupil_support=4)
            school.courses[group_id].append(["SUPPORT", teacher.id, SUPPORT_GROUP_HOURS])
            school.load[teacher.id] += SUPPORT_GROUP_HOURS


def _secondary_classes(school: _School) -> None:
    """Grades 7-9 groups until the subject teachers' loads are used up."""
    number = 0
    while True:
        spare = sum(
            max(0, school.target[t.id] - school.load[t.id]) for t in _of(school, SUBJECT_TEACHER)
        )
        if spare < sum(SECONDARY_HOURS.values()) // 2:
            return
        grade = number % 3 + 7
        group_id = f"{grade}{chr(ord('A') + number // 3)}"
        number += 1
        _add_group(school, group_id, grade)
        for subject, hours in SECONDARY_HOURS.items():
            school.courses[group_id].append([subject, _subject_teacher(school, subject), hours])


def _subject_teacher(school: _School, subject: str, primary: bool = False) -> str:
    """Who teaches `subject` to a group: in primary grades a class teacher with room in their
    load if any (class teachers often take a parallel class's music, PE or English), else the
    subject teacher of it with the most spare load; when those are full, whichever subject
    teacher has the most spare load takes it. The hours count towards that teacher's load."""
    hours = SECONDARY_HOURS.get(subject, PRIMARY_SUBJECT_HOURS.get(subject, 1))

    def spare(teacher: Teacher) -> tuple[int, str]:
        return (school.target[teacher.id] - school.load[teacher.id], teacher.id)

    subject_teachers = _of(school, SUBJECT_TEACHER)
    class_teachers = [t for t in _of(school, CLASS_TEACHER) if subject in t.subjects]
    qualified = [t for t in subject_teachers if subject in t.subjects]
    chosen = None
    for pool in ([*class_teachers] if primary else [], qualified, subject_teachers):
        if pool and spare(best := max(pool, key=spare))[0] >= hours:
            chosen = best
            break
    chosen = chosen or max(subject_teachers, key=spare)
    school.load[chosen.id] += hours
    return chosen.id


def _timetable(school: _School, slots: list[Slot]) -> list[Lesson]:
    """Place every course hour period by period: each group is in school from the first
    period for (weekly hours / 5) periods a day; at each period it takes the course with the
    most hours left whose teacher is free. Consecutive hours of a course merge into double
    lessons about half of the time."""
    rng = school.rng
    remaining = {g: [list(c) for c in cs] for g, cs in school.courses.items()}
    cells: dict[tuple[str, str], tuple[str, str]] = {}  # (group, slot) -> (subject, teacher)
    by_day: dict[str, list[Slot]] = defaultdict(list)
    for slot in slots:
        by_day[slot.day].append(slot)
    for day_number, day in enumerate(DAYS):
        busy: dict[str, set[str]] = defaultdict(set)
        for group_id, courses in remaining.items():
            hours = sum(c[2] for c in school.courses[group_id])
            length = min(school.periods, hours // 5 + (1 if day_number < hours % 5 else 0))
            for slot in by_day[day][:length]:
                options = [c for c in courses if c[2] > 0 and slot.id not in busy[c[1]]]
                if not options:
                    continue
                course = max(options, key=lambda c: (c[2], rng.random()))
                course[2] -= 1
                busy[course[1]].add(slot.id)
                cells[group_id, slot.id] = (course[0], course[1])
    lessons = []
    for group_id in remaining:
        for day in DAYS:
            run: list[Slot] = []
            for slot in by_day[day] + [None]:
                cell = cells.get((group_id, slot.id)) if slot else None
                if run and (cell != cells[group_id, run[0].id] or len(run) == 2 or slot is None):
                    lessons.extend(_split(group_id, run, cells[group_id, run[0].id], rng))
                    run = []
                if cell is not None:
                    run.append(slot)
    return [
        Lesson(f"L{n:05d}", (g,), teacher, tuple(s.id for s in run), subject)
        for n, (g, run, subject, teacher) in enumerate(lessons, start=1)
    ]


def _split(group_id: str, run: list[Slot], cell: tuple[str, str], rng: random.Random) -> list:
    subject, teacher = cell
    if len(run) == 2 and rng.random() < 0.5:
        return [(group_id, run, subject, teacher)]
    return [(group_id, [slot], subject, teacher) for slot in run]


def _with_subjects_taught(teacher: Teacher, lessons: list[Lesson]) -> Teacher:
    taught = {x.subject for x in lessons if x.teacher == teacher.id and "+" not in x.subject}
    return replace(teacher, subjects=teacher.subjects | taught)


def _with_unavailability(
    teachers: list[Teacher], lessons: list[Lesson], slots: list[Slot], rng: random.Random
) -> list[Teacher]:
    """One teacher in ten works part-time: unavailable in 2-4 free slots of one day."""
    busy: dict[str, set[str]] = defaultdict(set)
    for lesson in lessons:
        busy[lesson.teacher].update(lesson.slots)
    result = []
    for teacher in teachers:
        if rng.random() < 0.1:
            day = rng.choice(DAYS)
            free = [s.id for s in slots if s.day == day and s.id not in busy[teacher.id]]
            chosen = frozenset(free[-rng.randint(2, 4) :]) if free else frozenset()
            teacher = replace(teacher, unavailable=chosen)
        result.append(teacher)
    return result
