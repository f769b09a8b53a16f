"""A realistic weekly timetable for a school's staff, generated from a seed.

Used by the demo city (`flask seed demo`) and by tests that need a school of real size. The
shape follows Finnish schools: in grades 1–6 the class teacher teaches their own class most
of the week and language teachers teach English (and Swedish or Finnish from grade 6); in
grades 7–9 and upper secondary, subject teachers teach their subjects to each group, with
some double lessons; special-needs teachers teach small groups part of the week (part-time
special-needs teaching) and are free to co-teach the rest; a special-class teacher teaches a
special class. The same seed always gives the same week.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from pdservice.core.enums import Language, Profession
from pdservice.timetable.grid import default_times
from pdservice.timetable.replace import GroupData, LessonData, SlotData, TimetableData

DAYS = (1, 2, 3, 4, 5)
PERIODS = 7

# Weekly lessons of a group by grade (the distribution of lesson hours, simplified).
HOURS_BY_GRADE = {1: 20, 2: 20, 3: 22, 4: 22, 5: 24, 6: 25, 7: 29, 8: 29, 9: 29}
UPPER_SECONDARY_HOURS = 28

SUBJECT_NAMES = {
    Language.FI: {
        "AI": "Äidinkieli ja kirjallisuus",
        "MA": "Matematiikka",
        "YM": "Ympäristöoppi",
        "EN": "Englanti",
        "RU": "Ruotsi",
        "KU": "Kuvataide",
        "MU": "Musiikki",
        "KS": "Käsityö",
        "LI": "Liikunta",
        "UE": "Uskonto/ET",
        "HI": "Historia",
        "BI": "Biologia ja maantieto",
        "FK": "Fysiikka ja kemia",
        "YH": "Yhteiskuntaoppi",
        "KO": "Kotitalous",
        "TE": "Terveystieto",
        "OP": "Opinto-ohjaus",
        "PR": "Pienryhmä",
        "FI": "Filosofia",
        "PS": "Psykologia",
    },
    Language.SV: {
        "AI": "Modersmål och litteratur",
        "MA": "Matematik",
        "YM": "Omgivningslära",
        "EN": "Engelska",
        "RU": "Finska",
        "KU": "Bildkonst",
        "MU": "Musik",
        "KS": "Slöjd",
        "LI": "Gymnastik",
        "UE": "Religion/livsåskådning",
        "HI": "Historia",
        "BI": "Biologi och geografi",
        "FK": "Fysik och kemi",
        "YH": "Samhällslära",
        "KO": "Huslig ekonomi",
        "TE": "Hälsokunskap",
        "OP": "Elevhandledning",
        "PR": "Smågrupp",
        "FI": "Filosofi",
        "PS": "Psykologi",
    },
}
# What a week of grades 7–9 (and upper secondary) is made of: subject -> hours.
SECONDARY_WEEK = {
    "AI": 4,
    "MA": 4,
    "EN": 3,
    "RU": 2,
    "BI": 3,
    "FK": 3,
    "HI": 2,
    "YH": 1,
    "LI": 2,
    "KU": 1,
    "MU": 1,
    "KS": 1,
    "KO": 1,
    "TE": 1,
}
DOUBLE_LESSON_SUBJECTS = ("KS", "KO", "LI", "KU", "FK")


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    profession: Profession


class _Week:
    """Who is busy when, while the week is filled."""

    def __init__(self) -> None:
        self.teacher: dict[int, set[tuple[int, int]]] = defaultdict(set)
        self.group: dict[str, set[tuple[int, int]]] = defaultdict(set)
        self.lessons: list[LessonData] = []

    def free(self, teacher_id: int, groups: list[str], slot: tuple[int, int]) -> bool:
        return slot not in self.teacher[teacher_id] and all(
            slot not in self.group[g] for g in groups
        )

    def add(self, code: str, groups: list[str], subject: str, teacher_id: int, slots, room):
        for slot in slots:
            self.teacher[teacher_id].add(slot)
            for g in groups:
                self.group[g].add(slot)
        self.lessons.append(LessonData(code, groups, subject, teacher_id, list(slots), room))


def _day_lengths(hours: int) -> list[int]:
    """How many periods each day has: the hours spread evenly, longer days first."""
    base, extra = divmod(hours, len(DAYS))
    return [min(PERIODS, base + (1 if i < extra else 0)) for i in range(len(DAYS))]


def generate_timetable(
    staff: list[StaffMember],
    *,
    upper_secondary: bool,
    language: Language,
    rng: random.Random,
) -> TimetableData:
    """A week for `staff`: groups sized to the number of class and subject teachers."""
    by_profession: dict[Profession, list[int]] = defaultdict(list)
    for member in staff:
        by_profession[member.profession].append(member.user_id)
    class_teachers = by_profession[Profession.CLASS_TEACHER]
    subject_teachers = by_profession[Profession.SUBJECT_TEACHER]
    specialists = by_profession[Profession.SPECIAL_NEEDS_TEACHER]
    special_class = by_profession[Profession.SPECIAL_CLASS_TEACHER]
    names = SUBJECT_NAMES[language if language in SUBJECT_NAMES else Language.FI]

    data = TimetableData(
        slots=[SlotData(d, i, *default_times(i)) for d in DAYS for i in range(1, PERIODS + 1)]
    )
    week = _Week()
    groups: list[GroupData] = []

    def group(code: str, grade: int | None, size: int, support: bool, pupils: int) -> str:
        groups.append(GroupData(code, grade, language, size, support, min(pupils, size)))
        return code

    # Subject teachers and what they teach.
    subjects_of = _assign_subjects(subject_teachers, rng)
    teacher_of_subject: dict[str, list[int]] = defaultdict(list)
    for teacher_id, subjects in subjects_of.items():
        for subject in subjects:
            teacher_of_subject[subject].append(teacher_id)

    # Grades 1-6: one class per class teacher.
    if not upper_secondary:
        grades = _primary_grades(len(class_teachers))
        for teacher_id, (grade, letter) in zip(class_teachers, grades, strict=False):
            code = group(
                f"{grade}{letter}",
                grade,
                rng.randint(18, 25),
                rng.random() < 0.3,
                rng.choice((0, 1, 1, 2, 2, 3)),
            )
            _fill_primary(week, code, grade, teacher_id, teacher_of_subject, rng)
    # Grades 7-9 or upper secondary: subject teachers teach each group.
    secondary = _secondary_groups(len(subject_teachers), upper_secondary)
    for grade, letter in secondary:
        prefix = "L" if upper_secondary else ""
        code = group(
            f"{prefix}{grade}{letter}",
            grade,
            rng.randint(20, 30),
            rng.random() < (0.1 if upper_secondary else 0.25),
            rng.choice((0, 1, 2, 2, 3, 4)),
        )
        hours = UPPER_SECONDARY_HOURS if upper_secondary else HOURS_BY_GRADE[grade]
        _fill_secondary(week, code, hours, teacher_of_subject, rng)
    # A special class for each special-class teacher.
    for n, teacher_id in enumerate(special_class, start=1):
        code = group(f"ERK{n}", rng.choice((3, 4, 5)), 8, True, 8)
        _fill_primary(week, code, 4, teacher_id, teacher_of_subject, rng, hours=20)
    # Part-time special-needs teaching in small groups, about a third of the week.
    for n, teacher_id in enumerate(specialists, start=1):
        code = group(f"PR{n}", None, 6, True, 6)
        _fill_small_group(week, code, teacher_id, rng)

    data.groups = groups
    data.lessons = week.lessons
    data.subjects = {
        lesson.subject: names.get(lesson.subject, lesson.subject) for lesson in week.lessons
    }
    return data


def _primary_grades(count: int) -> list[tuple[int, str]]:
    """One class per grade 1–6, then parallel classes (B, C) while there are teachers."""
    return sorted([(grade, letter) for letter in "ABC" for grade in range(1, 7)][:count])


def _secondary_groups(subject_teachers: int, upper_secondary: bool) -> list[tuple[int, str]]:
    if subject_teachers == 0:
        return []
    grades = (10, 11, 12) if upper_secondary else (7, 8, 9)
    per_grade = max(1, min(3, subject_teachers // 4))
    return [(g, letter) for g in grades for letter in "ABC"[:per_grade]]


def _assign_subjects(teachers: list[int], rng: random.Random) -> dict[int, list[str]]:
    """Spread the secondary subjects over the subject teachers, two or three each."""
    subjects = list(SECONDARY_WEEK)
    result: dict[int, list[str]] = {t: [] for t in teachers}
    if not teachers:
        return result
    for index, subject in enumerate(subjects):
        result[teachers[index % len(teachers)]].append(subject)
    # Languages need more teachers: a second English and Finnish/Swedish teacher if possible.
    extra = teachers[len(subjects) % len(teachers) :] if len(teachers) > len(subjects) else []
    for teacher_id, subject in zip(extra, ("EN", "AI", "MA", "RU"), strict=False):
        result[teacher_id].append(subject)
    return result


def _slots_for(hours: int) -> list[tuple[int, int]]:
    slots = []
    for day, length in zip(DAYS, _day_lengths(hours), strict=True):
        slots += [(day, i) for i in range(1, length + 1)]
    return slots


def _fill_primary(week, code, grade, class_teacher, teacher_of_subject, rng, hours=None):
    hours = hours or HOURS_BY_GRADE[grade]
    slots = _slots_for(hours)
    languages = {"EN": 2 if grade >= 3 else 1}
    if grade >= 6:
        languages["RU"] = 2
    language_slots: dict[tuple[int, int], str] = {}
    candidates = slots[:]
    rng.shuffle(candidates)
    for subject, count in languages.items():
        teachers = teacher_of_subject.get(subject, [])
        for slot in candidates:
            if count == 0:
                break
            if slot in language_slots:
                continue
            teacher = next((t for t in teachers if week.free(t, [code], slot)), None)
            if teacher is None:
                continue
            language_slots[slot] = subject
            week.add(
                f"{code}-{subject}-{slot[0]}{slot[1]}", [code], subject, teacher, [slot], f"{code}"
            )
            count -= 1
    own = ["AI", "AI", "MA", "MA", "YM", "KU", "MU", "KS", "LI", "UE"]
    for n, slot in enumerate(s for s in slots if s not in language_slots):
        subject = own[n % len(own)]
        if week.free(class_teacher, [code], slot):
            week.add(
                f"{code}-{subject}-{slot[0]}{slot[1]}", [code], subject, class_teacher, [slot], code
            )


def _fill_secondary(week, code, hours, teacher_of_subject, rng):
    remaining = {s: h for s, h in SECONDARY_WEEK.items() if teacher_of_subject.get(s)}
    teacher = {s: rng.choice(teacher_of_subject[s]) for s in remaining}
    slots = _slots_for(hours)
    taken: set[tuple[int, int]] = set()
    for slot in slots:
        if slot in taken:
            continue
        order = sorted(remaining, key=lambda s: (-remaining[s], rng.random()))
        for subject in order:
            if remaining[subject] <= 0 or not week.free(teacher[subject], [code], slot):
                continue
            follow = (slot[0], slot[1] + 1)
            double = (
                subject in DOUBLE_LESSON_SUBJECTS
                and remaining[subject] >= 2
                and follow in slots
                and follow not in taken
                and week.free(teacher[subject], [code], follow)
            )
            run = [slot, follow] if double else [slot]
            week.add(
                f"{code}-{subject}-{slot[0]}{slot[1]}", [code], subject, teacher[subject], run, None
            )
            taken.update(run)
            remaining[subject] -= len(run)
            break


def _fill_small_group(week, code, teacher_id, rng):
    slots = [(d, i) for d in DAYS for i in range(1, 6)]
    rng.shuffle(slots)
    for slot in slots[:8]:
        subject = rng.choice(("AI", "MA", "PR"))
        if week.free(teacher_id, [code], slot):
            week.add(
                f"{code}-{subject}-{slot[0]}{slot[1]}", [code], subject, teacher_id, [slot], code
            )
