"""Why the solver proposes what it proposes, why a wish stays unmet, why a request is infeasible.

Proposals carry the score analysis of their pair; unmet wishes get the first reason that
applies, from fixed facts (avoided, no common free slot...) to the plan itself (capacity used up,
partners full...); an infeasible request gets a minimal set of requirements that cannot all
hold, found with CP-SAT assumption literals and then shrunk by deletion.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .budget import Budget
from .domain import Problem, pair_key
from .index import Index, co_teaching_obstacles
from .model import build_model
from .reasons import Reason, join_ids
from .scoring import ScoreAnalysis
from .solution import Assignment, Solution

TIME_CODES = frozenset({"own_lesson", "unavailable"})
#: An infeasible request gets at least this long (seconds or work units) for its explanation,
#: even when the search before it used up the limit.
EXPLAIN_MIN_SECONDS = 1.0
COMPETENCE_CODES = frozenset({"not_competent", "not_coteaching_profession"})


@dataclass(frozen=True)
class ProposalLesson:
    lesson: str
    group: str
    groups: tuple[str, ...]
    subject: str
    slots: tuple[str, ...]
    teacher: str  # the lesson's own teacher
    coteacher: str

    def to_dict(self) -> dict:
        return {
            "lesson": self.lesson,
            "group": self.group,
            "groups": list(self.groups),
            "subject": self.subject,
            "slots": list(self.slots),
            "teacher": self.teacher,
            "coteacher": self.coteacher,
        }


@dataclass(frozen=True)
class TermExplanation:
    """One soft term's share for a pair or meeting: raw value, signed points, sentence."""

    code: str
    value: float
    points: float
    message: str
    data: dict = field(default_factory=dict, hash=False, compare=False)

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "value": round(self.value, 3),
            "points": round(self.points, 3),
            "message": self.message,
            "data": dict(self.data),
        }


@dataclass(frozen=True)
class Proposal:
    teachers: tuple[str, str]
    lessons: tuple[ProposalLesson, ...]
    hours: int
    points: float
    terms: tuple[TermExplanation, ...]
    message: str

    def to_dict(self) -> dict:
        return {
            "teachers": list(self.teachers),
            "hours": self.hours,
            "points": round(self.points, 3),
            "lessons": [lesson.to_dict() for lesson in self.lessons],
            "terms": [term.to_dict() for term in self.terms],
            "message": self.message,
        }


@dataclass(frozen=True)
class MeetingProposal:
    team: str
    slots: tuple[str, ...]
    members: tuple[str, ...]
    terms: tuple[TermExplanation, ...]

    def to_dict(self) -> dict:
        return {
            "team": self.team,
            "slots": list(self.slots),
            "members": list(self.members),
            "terms": [term.to_dict() for term in self.terms],
        }


@dataclass(frozen=True)
class UnmetWish:
    teacher: str
    wished: str
    reason: Reason

    def to_dict(self) -> dict:
        return {"teacher": self.teacher, "wished": self.wished, **self.reason.to_dict()}


# --- proposals ------------------------------------------------------------------------------
def proposals(problem: Problem, solution: Solution, analysis: ScoreAnalysis) -> list[Proposal]:
    """One proposal per pair, best-scoring first, with the terms that justify it."""
    result = []
    for key, assignments in solution.pairs(problem).items():
        lessons = tuple(_proposal_lesson(problem, a) for a in assignments)
        shares = analysis.by_pair.get(key, {})
        terms = tuple(
            _pair_term(problem, key, lessons, code, value, points)
            for code, (value, points) in shares.items()
            if value
        )
        hours = sum(len(lesson.slots) for lesson in lessons)
        points = sum(term.points for term in terms)
        reasons = [t.message for t in sorted(terms, key=lambda t: -t.points) if t.points > 0]
        message = (
            f"{key[0]} and {key[1]} co-teach {hours} hour(s) a week"
            + (f": {reasons[0]}" if reasons else "")
            + (f"; also {'; '.join(reasons[1:3])}" if len(reasons) > 1 else "")
            + "."
        )
        result.append(Proposal(key, lessons, hours, points, terms, message))
    return sorted(result, key=lambda p: (-p.points, p.teachers))


def _proposal_lesson(problem: Problem, assignment: Assignment) -> ProposalLesson:
    lesson = problem.lesson(assignment.lesson)
    return ProposalLesson(
        lesson=lesson.id,
        group=lesson.group,
        groups=lesson.groups,
        subject=lesson.subject,
        slots=lesson.slots,
        teacher=lesson.teacher,
        coteacher=assignment.teacher,
    )


def _pair_term(
    problem: Problem,
    key: tuple[str, str],
    lessons: tuple[ProposalLesson, ...],
    code: str,
    value: float,
    points: float,
) -> TermExplanation:
    a, b = problem.teacher(key[0]), problem.teacher(key[1])
    data: dict = {}
    if code == "support_need":
        needy = {g: problem.group(g).need for pl in lessons for g in pl.groups}
        needy = {g: n for g, n in needy.items() if n}
        data = {"groups": needy}
        message = f"serves groups with support needs ({_describe_groups(problem, needy)})"
    elif code == "complementarity":
        goals = [
            {"learner": x.id, "goal": goal, "mentor": y.id}
            for x, y in ((a, b), (b, a))
            for goal in sorted(x.development_goals & y.strengths)
        ]
        specialist = next((t for t in (a, b) if t.is_specialist), None)
        data = {"specialist": specialist.id if specialist else None, "goals": goals}
        parts = []
        if specialist is not None and value >= 2:
            other = b if specialist is a else a
            parts.append(
                f"{specialist.id} ({specialist.profession.replace('_', ' ')}) brings special"
                f" support to {other.id}'s teaching"
            )
        parts += [f"{g['learner']} learns {g['goal']} from {g['mentor']}" for g in goals]
        message = "; ".join(parts) or "complementary competences"
    elif code == "wish":
        wishers = [x.id for x, y in ((a, b), (b, a)) if y.id in x.wished]
        data = {"wished_by": wishers}
        message = f"wished by {join_ids(wishers)}"
    elif code == "continuity":
        message = "they co-taught together last term"
    elif code == "coverage":
        data = {"teachers": list(key)}
        message = f"brings {key[0]} and {key[1]} into co-teaching"
    elif code == "fairness":
        groups = sorted({g for pl in lessons for g in pl.groups})
        data = {"groups": groups}
        message = f"spreads co-teaching to group(s) {join_ids(groups)}"
    elif code == "compact_days":
        message = f"leaves {value:g} new idle slot(s) in a teacher's day"
    elif code == "stay":
        message = f"keeps {value:g} hour(s) of the previous plan"
    else:  # pragma: no cover - every term has a sentence above
        message = code
    return TermExplanation(code, value, points, message, data)


def _describe_groups(problem: Problem, needy: dict[str, int]) -> str:
    parts = []
    for group_id in sorted(needy):
        group = problem.group(group_id)
        details = []
        if group.group_support:
            details.append("group-specific support")
        if group.pupil_support:
            details.append(f"{group.pupil_support} pupil(s) with pupil-specific support")
        parts.append(f"{group_id}: {', '.join(details)}")
    return "; ".join(parts)


def meeting_proposals(
    problem: Problem, solution: Solution, analysis: ScoreAnalysis
) -> list[MeetingProposal]:
    result = []
    for meeting in solution.meetings:
        shares = analysis.by_meeting.get(meeting.team, {})
        terms = tuple(
            TermExplanation(
                code,
                value,
                points,
                f"leaves {value:g} new idle slot(s) in members' days"
                if code == "compact_days"
                else f"keeps {value:g} slot(s) of the previous plan",
            )
            for code, (value, points) in shares.items()
            if value
        )
        members = problem.team(meeting.team).members
        result.append(MeetingProposal(meeting.team, meeting.slots, members, terms))
    return result


# --- unmet wishes ---------------------------------------------------------------------------
def unmet_wishes(index: Index, solution: Solution | None) -> list[UnmetWish]:
    """Each wish (teacher -> wished partner) the plan does not fulfil, with the first reason
    that applies: fixed facts before the plan's own choices."""
    problem = index.problem
    pairs = solution.pairs(problem) if solution is not None else {}
    usage = _Usage.of(problem, solution)
    return [
        UnmetWish(teacher.id, other, _wish_reason(index, teacher.id, other, usage, solution))
        for teacher in problem.teachers
        for other in sorted(teacher.wished)
        if pair_key(teacher.id, other) not in pairs
    ]


@dataclass
class _Usage:
    """What a plan already takes from each teacher and lesson."""

    hours: Counter[str] = field(default_factory=Counter)
    partners: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    busy: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    coteachers: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, problem: Problem, solution: Solution | None) -> _Usage:
        usage = cls()
        if solution is None:
            return usage
        for a in solution.assignments:
            lesson = problem.lesson(a.lesson)
            usage.hours[a.teacher] += lesson.hours
            usage.hours[lesson.teacher] += lesson.hours
            usage.partners[a.teacher].add(lesson.teacher)
            usage.partners[lesson.teacher].add(a.teacher)
            usage.busy[a.teacher].update(lesson.slots)
            usage.coteachers[a.lesson] += 1
        for m in solution.meetings:
            for member in problem.team(m.team).members:
                usage.busy[member].update(m.slots)
        return usage


def _wish_reason(
    index: Index, wisher: str, wished: str, usage: _Usage, solution: Solution | None
) -> Reason:
    problem = index.problem
    key = pair_key(wisher, wished)
    data = {"teacher": wisher, "wished": wished}
    a, b = problem.teacher(wisher), problem.teacher(wished)
    minimum = index.params.min_lessons
    options = index.pair_options.get(key, [])
    if not options:
        return _no_option_reason(index, a.id, b.id, data)
    if solution is None:
        return Reason("no_solution", "no plan was found", data)
    for person in (a, b):
        partners = usage.partners[person.id]
        if len(partners) >= index.params.max_partners:
            return Reason(
                "max_partners",
                f"{person.id} already has {len(partners)} partner(s)"
                f" ({join_ids(sorted(partners))}), the most allowed",
                {**data, "full": person.id, "partners": sorted(partners)},
            )
    for person in (a, b):
        left = person.capacity - usage.hours[person.id]
        if left < minimum:
            return Reason(
                "capacity",
                f"{person.id} has {left} co-teaching hour(s) left of {person.capacity},"
                f" fewer than the minimum {minimum} for a new pair",
                {**data, "full": person.id, "capacity": person.capacity, "left": left},
            )
    free_hours = sum(
        index.hours(lesson_id)
        for lesson_id, coteacher in options
        if usage.coteachers[lesson_id] < index.params.max_coteachers
        and not usage.busy[coteacher] & set(problem.lesson(lesson_id).slots)
    )
    if free_hours < minimum:
        return Reason(
            "lessons_taken",
            f"the lessons {wisher} and {wished} could share are taken by other co-teaching or"
            f" meetings ({free_hours} free hour(s) left, minimum {minimum})",
            {**data, "hours": free_hours, "min_lessons": minimum},
        )
    return Reason(
        "outweighed",
        f"the pair {wisher} and {wished} was possible, but other choices scored higher",
        data,
    )


def _no_option_reason(index: Index, a: str, b: str, data: dict) -> Reason:
    """Why two teachers have no lesson at all they could co-teach together."""
    problem = index.problem
    key = pair_key(a, b)
    obstacles = [
        (lesson, co_teaching_obstacles(index, lesson, problem.teacher(joiner)))
        for host, joiner in ((a, b), (b, a))
        for lesson in problem.lessons
        if lesson.teacher == host
    ]
    if not obstacles:
        return Reason(
            "no_lessons",
            f"neither {a} nor {b} teaches a lesson the other could join",
            data,
        )
    free = [lesson for lesson, found in obstacles if not found]
    if free:
        # Options exist, but too few hours (or capacity) to reach the minimum: the index
        # dropped the pair for that reason.
        available = min(
            sum(lesson.hours for lesson in free),
            problem.teacher(a).capacity,
            problem.teacher(b).capacity,
        )
        minimum = index.params.min_lessons
        return Reason(
            "min_lessons_unreachable",
            f"{a} and {b} could share at most {available} hour(s) a week,"
            f" fewer than the minimum {minimum}",
            {**data, "hours": available, "min_lessons": minimum},
        )
    obstacles = [found for _, found in obstacles]
    codes = Counter(r.code for found in obstacles for r in found)
    for code in ("avoided", "rejected_pair", "not_willing"):
        if codes[code]:
            first = next(r for found in obstacles for r in found if r.code == code)
            return Reason(code, first.message, {**data, "detail": first.data})
    competent = [found for found in obstacles if not {r.code for r in found} & COMPETENCE_CODES]
    if not competent:
        return Reason(
            "not_competent",
            f"neither {a} nor {b} is qualified to co-teach the other's lessons",
            data,
        )
    if all({r.code for r in found} & TIME_CODES for found in competent):
        return Reason(
            "no_common_free_slot",
            f"{a} and {b} are never free when the other teaches a lesson they could join",
            {**data, "teachers": list(key)},
        )
    first = next(r for found in competent for r in found if r.code not in TIME_CODES)
    return Reason(first.code, first.message, {**data, "detail": first.data})


# --- infeasibility --------------------------------------------------------------------------
def explain_infeasibility(index: Index, budget: Budget | None = None) -> list[Reason]:
    """A minimal set of requirements that cannot all hold, or [] if none was found in time.

    CP-SAT returns a sufficient set of assumption literals; each is then dropped in turn and
    kept out when the rest is still infeasible, so every requirement left is necessary. The
    searches share what is left of `budget` (at least `EXPLAIN_MIN_SECONDS`: an explanation
    is worth a little more than the limit).
    """
    budget = budget or Budget(index.params)
    budget.limit = max(budget.limit, budget.used() + EXPLAIN_MIN_SECONDS)
    model = build_model(index, explain=True)
    assert model.guards is not None
    literals = list(model.guards.literals.values())
    status, core = _solve_with(model.cp, literals, budget)
    if status != cp_model.INFEASIBLE:
        return []
    core = [lit for lit in literals if lit.index in core] or literals
    for lit in list(core):
        if budget.remaining() <= 0:
            break
        trial = [other for other in core if other is not lit]
        status, smaller = _solve_with(model.cp, trial, budget)
        if status == cp_model.INFEASIBLE:
            core = [other for other in trial if other.index in smaller] or trial
    return [model.guards.reasons[lit.index] for lit in core]


def _solve_with(
    cp: cp_model.CpModel, assumptions: list[cp_model.IntVar], budget: Budget
) -> tuple[int, set[int]]:
    cp.clear_assumptions()
    cp.add_assumptions(assumptions)
    solver = cp_model.CpSolver()
    # One worker and no presolve: the core is then reported in terms of the assumptions
    # (presolve can rename literals, see google/or-tools#5141).
    solver.parameters.num_workers = 1
    solver.parameters.cp_model_presolve = False
    budget.limit_search(solver, budget.remaining())
    status = solver.solve(cp)
    budget.charge_search(solver)
    core = (
        set(solver.sufficient_assumptions_for_infeasibility())
        if status == cp_model.INFEASIBLE
        else set()
    )
    return status, core
