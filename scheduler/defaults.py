"""Seeded defaults for what a timetable file does not say: support needs, competence profiles,
wishes, last term's pairs and teams. Shared by the XHSTT importer and the synthetic schools,
and documented in README.md; the same seed always gives the same school.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from dataclasses import replace

from .domain import CLASS_TEACHER, Problem, Teacher, Team, pair_key
from .greedy import greedy_from_index
from .index import build_index, team_windows, window_blockers

#: The transversal competences of the 2014 core curriculum and the strategy themes of
#: CONTEXT.md; seeded teachers draw two strengths and one development goal from them.
COMPETENCE_CODES = (
    "L1",
    "L2",
    "L3",
    "L4",
    "L5",
    "L6",
    "L7",
    "digital_pedagogy",
    "inclusive_education",
    "assessment",
    "social_emotional_skills",
    "co_teaching",
    "multiprofessional_work",
    "parallel_leadership",
)
WILLING_SHARE = 0.85  # share of teachers willing to co-teach
GROUP_SUPPORT_SHARE = 0.25  # share of groups with group-specific support
PUPIL_SUPPORT_CHOICES = (0, 0, 1, 1, 2, 3)  # pupils with pupil-specific support, per group
GROUP_SIZE_RANGE = (16, 26)
WISH_SHARE = 0.3  # share of teachers who wish one colleague as a partner
AVOID_SHARE = 0.05  # share of teachers who ask not to be paired with one colleague
LAST_TERM_PAIR_SHARE = 1 / 10  # pairs of last term, per co-teaching teacher


def support_need(rng: random.Random) -> tuple[bool, int]:
    """(group-specific support, pupils with pupil-specific support) of an ordinary group."""
    return rng.random() < GROUP_SUPPORT_SHARE, rng.choice(PUPIL_SUPPORT_CHOICES)


def competence_profile(rng: random.Random) -> dict[str, frozenset[str]]:
    """Two strengths and one development goal, all different."""
    codes = rng.sample(COMPETENCE_CODES, 3)
    return {"strengths": frozenset(codes[:2]), "development_goals": frozenset(codes[2:])}


def willing(rng: random.Random) -> bool:
    return rng.random() < WILLING_SHARE


def with_wishes(teachers: list[Teacher], rng: random.Random) -> list[Teacher]:
    """Some teachers wish one colleague, a few avoid one; a wish towards someone who avoids
    the wisher is dropped so the defaults never contradict themselves."""
    ids = [t.id for t in teachers]
    result = []
    for teacher in teachers:
        others = [i for i in ids if i != teacher.id]
        wished = {rng.choice(others)} if others and rng.random() < WISH_SHARE else set()
        avoid_options = [i for i in others if i not in wished]
        avoided = (
            {rng.choice(avoid_options)} if avoid_options and rng.random() < AVOID_SHARE else set()
        )
        result.append(replace(teacher, wished=frozenset(wished), avoided=frozenset(avoided)))
    by_id = {t.id: t for t in result}
    return [
        replace(t, wished=frozenset(w for w in t.wished if t.id not in by_id[w].avoided))
        for t in result
    ]


def last_term_pairs(teachers: list[Teacher], rng: random.Random) -> frozenset[tuple[str, str]]:
    ids = [t.id for t in teachers if t.can_co_teach]
    count = math.ceil(len(ids) * LAST_TERM_PAIR_SHARE) if len(ids) >= 2 else 0
    return frozenset(pair_key(*rng.sample(ids, 2)) for _ in range(count))


def default_teams(problem: Problem, rng: random.Random) -> list[Team]:
    """A student-welfare group (specialists and two others, 2 slots), a KiVa team of three
    (1 slot) and a grade-level team of the class teachers of each grade (by their main group,
    1 slot), kept only as far as they can all meet (see `feasible_teams`)."""
    teachers = sorted(problem.teachers, key=lambda t: t.id)
    specialists = [t.id for t in teachers if t.is_specialist]
    others = [t.id for t in teachers if not t.is_specialist]
    drafts = []
    if specialists or len(others) >= 2:
        welfare = specialists + rng.sample(others, min(2, len(others)))
        drafts.append(
            Team("welfare", tuple(welfare), 2, name="Student welfare group", kind="student_welfare")
        )
    if len(teachers) >= 3:
        kiva = rng.sample([t.id for t in teachers], 3)
        drafts.append(Team("kiva", tuple(kiva), 1, name="KiVa team", kind="kiva"))
    for grade, members in sorted(class_teachers_by_grade(problem).items()):
        if len(members) >= 2:
            drafts.append(
                Team(
                    f"grade-{grade}",
                    tuple(sorted(members)),
                    1,
                    name=f"Grade {grade} team",
                    kind="grade_level",
                )
            )
    return feasible_teams(problem, drafts)


def feasible_teams(problem: Problem, drafts: list[Team]) -> list[Team]:
    """Accept teams one by one while the greedy plan can still place every meeting; otherwise
    drop the member blocking most windows until it can (a team below two members is left
    out). A seeded school is thereby always feasible."""
    accepted: list[Team] = []
    for team in drafts:
        members = list(team.members)
        while len(members) >= 2:
            candidate = replace(team, members=tuple(members))
            index = build_index(replace(problem, teams=(*accepted, candidate)), options=False)
            plan = greedy_from_index(index)
            if len(plan.meetings) == len(accepted) + 1:
                accepted.append(candidate)
                break
            in_teams = Counter(m for t in accepted for m in t.members)
            blocking = Counter(
                r.data["teacher"]
                for w in team_windows(index, team.id)
                for r in window_blockers(index, team.id, w)
            )
            members.remove(max(members, key=lambda m: (blocking[m] + in_teams[m], m)))
    return accepted


def class_teachers_by_grade(problem: Problem) -> dict[int, set[str]]:
    """Class teachers by the grade of the group they teach most."""
    hours: dict[str, Counter[str]] = defaultdict(Counter)
    for lesson in problem.lessons:
        hours[lesson.teacher][lesson.group] += lesson.hours
    by_grade: dict[int, set[str]] = defaultdict(set)
    for teacher in problem.teachers:
        if teacher.profession != CLASS_TEACHER or not hours[teacher.id]:
            continue
        grade = problem.group(hours[teacher.id].most_common(1)[0][0]).grade
        if grade is not None:
            by_grade[grade].add(teacher.id)
    return by_grade
