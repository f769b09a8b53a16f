"""The CP-SAT model: variables, hard constraints and soft terms, each in its own function.

Variables (named as in `scheduler/README.md`, "The model"):
- `co[l,t]`   teacher t co-teaches lesson l (only options the index allows exist);
- `pair[a,b]` a and b form a co-teaching pair, exactly when some co[l,t] links them;
- `meet[k,s]` team k meets in the window starting at slot s.

Every auxiliary variable is defined by an equality (never only bounded in the direction the
objective pushes), so the objective of *any* solution the solver reports equals the score that
`scoring.analyse` computes from the assignments alone. Each definition is also recorded, so a
solution given as a hint can be completed to every variable (`complete_hint`).

The same builder makes the *explanation* model for infeasible requests: with `explain=True`
every requirement a person could change (a pin, a capacity, an own lesson in the way...) is
guarded by an assumption literal, and the options that rules out are added too, so CP-SAT can
return the requirements that cannot all hold together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .domain import MeetingPin, Pin, Teacher, Team, complementarity_points, wish_points
from .index import Index, co_teaching_obstacles, team_windows, window_blockers
from .reasons import Reason, join_ids
from .solution import Solution

Literal = cp_model.IntVar | int


@dataclass
class Guards:
    """Assumption literals for the requirements of an explanation model, one per requirement."""

    cp: cp_model.CpModel
    literals: dict[tuple, cp_model.IntVar] = field(default_factory=dict)
    reasons: dict[int, Reason] = field(default_factory=dict)

    def literal(self, key: tuple, reason: Reason) -> cp_model.IntVar:
        if key not in self.literals:
            lit = self.cp.new_bool_var(f"assume[{'/'.join(str(k) for k in key)}]")
            self.literals[key] = lit
            self.reasons[lit.index] = reason
        return self.literals[key]


@dataclass
class CoTeachingModel:
    index: Index
    cp: cp_model.CpModel
    guards: Guards | None = None
    co: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    meet: dict[tuple[str, tuple[str, ...]], cp_model.IntVar] = field(default_factory=dict)
    pair: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    terms: dict[str, cp_model.LinearExprT] = field(default_factory=dict)
    # var index -> function of already-known values; in creation order, for complete hints
    definitions: list[tuple[cp_model.IntVar, Callable[[dict[int, int]], int]]] = field(
        default_factory=list
    )
    # teacher -> slot -> activities (co or meet variables) that put the teacher there
    activities: dict[str, dict[str, list[cp_model.IntVar]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    def guard(
        self, key: tuple, reason: Callable[..., Reason], *args: object
    ) -> list[cp_model.IntVar]:
        """The enforcement literals of a requirement: none in the optimisation model.

        `reason(*args)` describes the requirement; it is only built when explaining.
        """
        if self.guards is None:
            return []
        return [self.guards.literal(key, reason(*args))]

    # --- helpers that define auxiliary variables exactly --------------------------------
    def define_or(self, literals: Sequence[Literal], name: str) -> Literal:
        """A Boolean equal to OR(literals); constants fold away."""
        if any(_is_constant(lit, 1) for lit in literals):
            return 1
        variables = [lit for lit in literals if not isinstance(lit, int)]
        if not variables:
            return 0
        if len(variables) == 1:
            return variables[0]
        var = self.cp.new_bool_var(name)
        self.cp.add_max_equality(var, variables)
        indices = [v.index for v in variables]
        self.definitions.append((var, lambda v: max(_value(v, i) for i in indices)))
        return var

    def define_and(self, literals: Sequence[Literal], name: str) -> Literal:
        """A Boolean equal to AND(literals); constants fold away."""
        if any(_is_constant(lit, 0) for lit in literals):
            return 0
        variables = [lit for lit in literals if not isinstance(lit, int)]
        if not variables:
            return 1
        if len(variables) == 1:
            return variables[0]
        var = self.cp.new_bool_var(name)
        self.cp.add_min_equality(var, variables)
        indices = [v.index for v in variables]
        self.definitions.append((var, lambda v: min(_value(v, i) for i in indices)))
        return var

    def define_not(self, literal: Literal) -> Literal:
        return 1 - literal if isinstance(literal, int) else literal.Not()

    # --- results -------------------------------------------------------------------------
    def objective_expression(self) -> cp_model.LinearExprT:
        weights = self.index.params.weights
        return sum(weights.signed(name) * expr for name, expr in self.terms.items())

    def extract(self, value: Callable[[cp_model.IntVar], int]) -> Solution:
        """The solution in domain terms from variable values (a solver or a callback)."""
        from .solution import Assignment, Meeting

        return Solution(
            assignments=tuple(
                Assignment(lesson_id, teacher_id)
                for (lesson_id, teacher_id), var in self.co.items()
                if value(var)
            ),
            meetings=tuple(Meeting(k, w) for (k, w), var in self.meet.items() if value(var)),
        )

    def complete_hint(self, solution: Solution) -> None:
        """Hint every variable with the values the given solution implies."""
        chosen_co = {(a.lesson, a.teacher) for a in solution.assignments}
        chosen_meet = {(m.team, m.slots) for m in solution.meetings}
        values: dict[int, int] = {}
        for key, var in self.co.items():
            values[var.index] = int(key in chosen_co)
        for key, var in self.meet.items():
            values[var.index] = int(key in chosen_meet)
        for var, compute in self.definitions:
            values[var.index] = compute(values)
        self.cp.clear_hints()
        for var in (*self.co.values(), *self.meet.values(), *(v for v, _ in self.definitions)):
            self.cp.add_hint(var, values[var.index])


def build_model(
    index: Index, *, previous: Solution | None = None, explain: bool = False
) -> CoTeachingModel:
    """Build the optimisation model, or with `explain=True` the guarded explanation model."""
    cp = cp_model.CpModel()
    model = CoTeachingModel(index, cp, Guards(cp) if explain else None)
    add_co_variables(model)
    add_meeting_variables(model)
    add_pair_variables(model)
    for constraint in HARD_CONSTRAINTS:
        constraint(model)
    if explain:
        return model
    for name, term in SOFT_TERMS.items():
        model.terms[name] = term(model)
    if previous is not None:
        model.terms["stay"] = term_stay(model, previous)
    cp.maximize(model.objective_expression())
    return model


# --- variables ------------------------------------------------------------------------------
def add_co_variables(model: CoTeachingModel) -> None:
    """co[l,t] for every option; the explanation model adds pinned non-options as well."""
    keys = list(model.index.candidates)
    if model.guards is not None:
        options = set(keys)
        keys += [
            (p.lesson, p.teacher)
            for p in model.index.problem.pins
            if (p.lesson, p.teacher) not in options
        ]
    for lesson_id, teacher_id in keys:
        var = model.cp.new_bool_var(f"co[{lesson_id},{teacher_id}]")
        model.co[lesson_id, teacher_id] = var
        for slot_id in model.index.problem.lesson(lesson_id).slots:
            model.activities[teacher_id][slot_id].append(var)


def add_meeting_variables(model: CoTeachingModel) -> None:
    """meet[k,s] for every window where all members are free (every window when explaining)."""
    for team in model.index.problem.teams:
        windows = model.index.windows[team.id]
        if model.guards is not None:
            windows = team_windows(model.index, team.id)
        for window in windows:
            var = model.cp.new_bool_var(f"meet[{team.id},{window[0]}]")
            model.meet[team.id, window] = var
            for member in team.members:
                for slot_id in window:
                    model.activities[member][slot_id].append(var)


def add_pair_variables(model: CoTeachingModel) -> None:
    """pair[a,b] = OR of the co variables linking a and b."""
    for (a, b), terms in sorted(_pair_links(model).items()):
        co_vars = [co_var for _, co_var in terms]
        var = model.cp.new_bool_var(f"pair[{a},{b}]")
        model.pair[a, b] = var
        # pair >= each co (cheap implications) and pair <= sum(co): exactly the OR.
        for co_var in co_vars:
            model.cp.add_implication(co_var, var)
        model.cp.add_bool_or([*co_vars, var.Not()])
        indices = [v.index for v in co_vars]
        model.definitions.append((var, lambda v, indices=indices: max(v[i] for i in indices)))


# --- hard constraints -----------------------------------------------------------------------
def add_one_place_at_a_time(model: CoTeachingModel) -> None:
    """Nobody is in two places at once: at most one co-taught lesson or meeting per slot.

    Own lessons need no constraint here: no co or meet variable exists in a slot where the
    teacher teaches (the explanation model forbids the extra ones in `add_obstacles`).
    """
    for slots in model.activities.values():
        for activities in slots.values():
            if len(activities) > 1:
                model.cp.add_at_most_one(activities)


def add_capacity(model: CoTeachingModel) -> None:
    """Co-taught hours of a teacher, hosting or joining, stay within the teacher's capacity."""
    hours: dict[str, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for (lesson_id, teacher_id), var in model.co.items():
        lesson_hours = model.index.hours(lesson_id)
        hours[teacher_id].append((lesson_hours, var))
        hours[model.index.host(lesson_id)].append((lesson_hours, var))
    for teacher_id, terms in sorted(hours.items()):
        teacher = model.index.problem.teacher(teacher_id)
        if sum(h for h, _ in terms) <= teacher.capacity:
            continue
        model.cp.add(weighted(terms) <= teacher.capacity).only_enforce_if(
            model.guard(("capacity", teacher_id), _capacity_reason, teacher)
        )


def add_max_coteachers(model: CoTeachingModel) -> None:
    """A lesson has at most `max_coteachers` co-teachers."""
    limit = model.index.params.max_coteachers
    by_lesson: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (lesson_id, _), var in model.co.items():
        by_lesson[lesson_id].append(var)
    for lesson_id, co_vars in sorted(by_lesson.items()):
        if len(co_vars) <= limit:
            continue
        enforce = model.guard(
            ("max_coteachers", lesson_id), _max_coteachers_reason, lesson_id, limit
        )
        if limit == 1 and not enforce:
            model.cp.add_at_most_one(co_vars)
        else:
            model.cp.add(cp_model.LinearExpr.sum(co_vars) <= limit).only_enforce_if(enforce)


def add_min_lessons(model: CoTeachingModel) -> None:
    """A formed pair shares at least `min_lessons` hours a week.

    The upper link sum(hours * co) <= M * pair, with M the most hours the pair can share, is
    implied by the co => pair implications but gives the LP relaxation a tighter bound.
    """
    minimum = model.index.params.min_lessons
    for key, terms in sorted(_pair_links(model).items()):
        pair = model.pair[key]
        shared = weighted(terms)
        model.cp.add(shared >= minimum * pair).only_enforce_if(
            model.guard(("min_lessons", *key), _min_lessons_reason, key, minimum)
        )
        if model.guards is None:
            most = model.index.pair_hours_available(key, model.index.pair_options[key])
            model.cp.add(shared <= most * pair)


def add_pair_value_cuts(model: CoTeachingModel) -> None:
    """Valid inequalities that stop the LP relaxation from cherry-picking.

    With fractional pair variables the LP could take the neediest lesson of every colleague,
    a little of each, and the max-partners rule would not bind. In an integer solution a pair
    shares k hours (min_lessons <= k <= M) worth at most best(k), the best k hours of its
    options. Every piece y = y1 + slope * (k - x1) of the concave hull of the points (0, 0)
    and (k, best(k)) gives, in perspective form,

        dx * value <= dy * hours + (y1 * dx - dy * x1) * pair

    which holds for pair = 0 (nothing shared) and pair = 1, and so cuts off only fractional
    points. Measured on the 100-teacher school, this is what brings the support-need bound
    near the optimum (see README, "What we tried").
    """
    if model.guards is not None:
        return
    index = model.index
    minimum = index.params.min_lessons
    for key, options in sorted(index.pair_options.items()):
        items = [
            (index.hours(lesson_id), index.need[lesson_id] * index.hours(lesson_id))
            for lesson_id, _ in options
        ]
        if not any(value for _, value in items):
            continue
        most = index.pair_hours_available(key, options)
        hull = value_hull(items, most, minimum)
        co_vars = [model.co[option] for option in options]
        value = cp_model.LinearExpr.weighted_sum(co_vars, [v for _, v in items])
        hours = cp_model.LinearExpr.weighted_sum(co_vars, [h for h, _ in items])
        pair = model.pair[key]
        for (x1, y1), (x2, y2) in zip(hull, hull[1:], strict=False):
            dx, dy = x2 - x1, y2 - y1
            model.cp.add(dx * value <= dy * hours + (y1 * dx - dy * x1) * pair)


def value_hull(items: list[tuple[int, int]], most: int, minimum: int) -> list[tuple[int, int]]:
    """Upper concave hull of (0, 0) and (k, best k-hour value) for minimum <= k <= most.

    `items` are (hours, value) of a pair's options; best values come from an exact-hours
    knapsack, which is small (a pair has tens of options and at most ~10 hours).
    """
    best: list[int | None] = [0] + [None] * most
    for hours, value in items:
        for k in range(most, hours - 1, -1):
            before = best[k - hours]
            if before is not None and (best[k] is None or before + value > best[k]):
                best[k] = before + value
    points = [(0, 0)] + [(k, v) for k in range(minimum, most + 1) if (v := best[k]) is not None]
    hull: list[tuple[int, int]] = []
    for point in points:
        while len(hull) >= 2 and _not_above(hull[-2], hull[-1], point):
            hull.pop()
        hull.append(point)
    return hull


def _not_above(a: tuple[int, int], b: tuple[int, int], c: tuple[int, int]) -> bool:
    """Whether b lies on or below the segment from a to c (so b is not on the upper hull)."""
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]) >= 0


def _pair_links(model: CoTeachingModel) -> dict[tuple[str, str], list[tuple[int, cp_model.IntVar]]]:
    """(hours, co variable) of every co variable, by pair."""
    linking: dict[tuple[str, str], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for (lesson_id, teacher_id), var in model.co.items():
        linking[model.index.pair_of(lesson_id, teacher_id)].append(
            (model.index.hours(lesson_id), var)
        )
    return linking


def add_max_partners(model: CoTeachingModel) -> None:
    """A teacher has at most `max_partners` partners."""
    params = model.index.params
    pairs_of: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (a, b), var in model.pair.items():
        pairs_of[a].append(var)
        pairs_of[b].append(var)
    for teacher_id, pair_vars in sorted(pairs_of.items()):
        limit = params.max_partners
        if model.guards is None:
            # Each partner takes at least min_lessons of the capacity: the rounded-down
            # quotient is a valid, tighter limit (the LP alone would allow cap/min).
            capacity = model.index.problem.teacher(teacher_id).capacity
            limit = min(limit, capacity // params.min_lessons)
        if len(pair_vars) <= limit:
            continue
        model.cp.add(cp_model.LinearExpr.sum(pair_vars) <= limit).only_enforce_if(
            model.guard(("max_partners", teacher_id), _max_partners_reason, teacher_id, limit)
        )


def add_team_meetings(model: CoTeachingModel) -> None:
    """Every team meets exactly once a week."""
    by_team: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (team_id, _), var in model.meet.items():
        by_team[team_id].append(var)
    for team in model.index.problem.teams:
        meet_vars = by_team.get(team.id, [])
        if len(meet_vars) > 1:
            model.cp.add_at_most_one(meet_vars)
        model.cp.add_bool_or(meet_vars).only_enforce_if(
            model.guard(("team_meeting", team.id), _team_meeting_reason, team)
        )


def add_pins(model: CoTeachingModel) -> None:
    """Pinned co-teaching is kept."""
    for pin in model.index.problem.pins:
        enforce = model.guard(("pinned", pin.lesson, pin.teacher), _pinned_reason, pin)
        var = model.co.get((pin.lesson, pin.teacher))
        if var is None:  # not an option at all: only reachable through the explanation model
            model.cp.add_bool_or([]).only_enforce_if(enforce)
        else:
            model.cp.add(var == 1).only_enforce_if(enforce)


def add_meeting_pins(model: CoTeachingModel) -> None:
    """Pinned meeting slots are kept."""
    for pin in model.index.problem.meeting_pins:
        enforce = model.guard(("pinned_meeting", pin.team, pin.start), _pinned_meeting_reason, pin)
        starting = [
            var for (k, w), var in model.meet.items() if k == pin.team and w[0] == pin.start
        ]
        model.cp.add_bool_or(starting).only_enforce_if(enforce)


def add_obstacles(model: CoTeachingModel) -> None:
    """Explanation model only: the rules that exclude pinned options and blocked windows."""
    if model.guards is None:
        return
    index = model.index
    options = set(index.candidates)
    for (lesson_id, teacher_id), var in model.co.items():
        if (lesson_id, teacher_id) in options:
            continue
        lesson = index.problem.lesson(lesson_id)
        teacher = index.problem.teacher(teacher_id)
        for reason in co_teaching_obstacles(index, lesson, teacher):
            model.cp.add(var == 0).only_enforce_if(model.guard(_reason_key(reason), _same, reason))
    for (team_id, window), var in model.meet.items():
        for reason in window_blockers(index, team_id, window):
            model.cp.add(var == 0).only_enforce_if(model.guard(_reason_key(reason), _same, reason))


HARD_CONSTRAINTS: tuple[Callable[[CoTeachingModel], None], ...] = (
    add_one_place_at_a_time,
    add_capacity,
    add_max_coteachers,
    add_min_lessons,
    add_pair_value_cuts,
    add_max_partners,
    add_team_meetings,
    add_pins,
    add_meeting_pins,
    add_obstacles,
)
"""Unavailability, avoided and rejected pairs, rejected lessons, willingness and competence
are enforced where the options are made (`index.co_teaching_obstacles`): a forbidden option
never gets a variable."""


# --- soft terms -----------------------------------------------------------------------------
def term_support_need(model: CoTeachingModel) -> cp_model.LinearExprT:
    """Support-need points of the groups served, per co-taught hour."""
    return weighted(
        (model.index.need[lesson_id] * model.index.hours(lesson_id), var)
        for (lesson_id, _), var in model.co.items()
        if model.index.need[lesson_id]
    )


def term_complementarity(model: CoTeachingModel) -> cp_model.LinearExprT:
    """Complementarity points of each formed pair (specialist + class/subject, goal + strength)."""
    problem = model.index.problem
    return weighted(
        (complementarity_points(problem.teacher(a), problem.teacher(b)), var)
        for (a, b), var in model.pair.items()
    )


def term_wish(model: CoTeachingModel) -> cp_model.LinearExprT:
    """Wishes fulfilled: one per teacher of a formed pair who wished the other."""
    problem = model.index.problem
    return weighted(
        (wish_points(problem.teacher(a), problem.teacher(b)), var)
        for (a, b), var in model.pair.items()
    )


def term_continuity(model: CoTeachingModel) -> cp_model.LinearExprT:
    """Pairs that worked together last term and do so again."""
    last_term = model.index.problem.last_term_pairs
    return weighted((1, var) for key, var in model.pair.items() if key in last_term)


def term_coverage(model: CoTeachingModel) -> cp_model.LinearExprT:
    """Staff in at least one pair: the 2025 collaboration indicator."""
    pairs_of: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (a, b), var in model.pair.items():
        pairs_of[a].append(var)
        pairs_of[b].append(var)
    return weighted(
        (1, model.define_or(pair_vars, f"covered[{teacher_id}]"))
        for teacher_id, pair_vars in sorted(pairs_of.items())
    )


def term_fairness(model: CoTeachingModel) -> cp_model.LinearExprT:
    """Per group, co-taught hours up to `fair_hours`: spreads co-teaching across groups."""
    cap = model.index.params.fair_hours
    if cap == 0:
        return 0
    by_group: dict[str, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for (lesson_id, _), var in model.co.items():
        for group_id in model.index.problem.lesson(lesson_id).groups:
            by_group[group_id].append((model.index.hours(lesson_id), var))
    fair_vars = []
    for group_id, terms in sorted(by_group.items()):
        most = sum(h for h, _ in terms)
        fair = model.cp.new_int_var(0, min(cap, most), f"fair[{group_id}]")
        hours = weighted(terms)
        model.cp.add_min_equality(fair, [hours, cap])
        # Implied by the equality, but CP-SAT's LP does not linearise a min over an
        # expression; stated plainly it cuts the root bound of this term by more than half.
        model.cp.add(fair <= hours)
        indices = [(h, v.index) for h, v in terms]
        model.definitions.append(
            (fair, lambda v, indices=indices: min(cap, sum(h * v[i] for h, i in indices)))
        )
        fair_vars.append(fair)
    return cp_model.LinearExpr.sum(fair_vars)


def term_compact_days(model: CoTeachingModel) -> cp_model.LinearExprT:
    """New idle slots in teachers' days (a penalty): a slot outside the day's own-lesson span
    that becomes a gap because co-teaching or a meeting lies beyond it. Slots that were already
    gaps between own lessons are not new, whatever happens in them."""
    idle_slots: list[Literal] = []
    for teacher_id, slots in sorted(model.activities.items()):
        own = model.index.own[teacher_id]
        for day_slots in model.index.day_slots.values():
            if not any(slots.get(s) for s in day_slots):
                continue
            busy = [_busy(model, teacher_id, s, own, slots.get(s, [])) for s in day_slots]
            own_positions = [p for p, s in enumerate(day_slots) if s in own]
            for position, slot_id in enumerate(day_slots):
                if _is_constant(busy[position], 1):
                    continue
                if own_positions and own_positions[0] < position < own_positions[-1]:
                    continue  # an old gap: not new
                name = f"[{teacher_id},{slot_id}]"
                before = model.define_or(busy[:position], f"before{name}")
                after = model.define_or(busy[position + 1 :], f"after{name}")
                idle = model.define_and(
                    [before, after, model.define_not(busy[position])], f"idle{name}"
                )
                idle_slots.append(idle)
    return cp_model.LinearExpr.sum(idle_slots)


def term_stay(model: CoTeachingModel, previous: Solution) -> cp_model.LinearExprT:
    """Re-solve: hours of the previous solution kept (co-teaching hours and meeting slots)."""
    total = 0
    for assignment in previous.assignments:
        var = model.co.get((assignment.lesson, assignment.teacher))
        if var is not None:
            total += model.index.hours(assignment.lesson) * var
    for meeting in previous.meetings:
        var = model.meet.get((meeting.team, meeting.slots))
        if var is not None:
            total += len(meeting.slots) * var
    return total


SOFT_TERMS: dict[str, Callable[[CoTeachingModel], cp_model.LinearExprT]] = {
    "support_need": term_support_need,
    "complementarity": term_complementarity,
    "wish": term_wish,
    "continuity": term_continuity,
    "coverage": term_coverage,
    "fairness": term_fairness,
    "compact_days": term_compact_days,
}


# --- private helpers ------------------------------------------------------------------------
def weighted(terms: Iterable[tuple[int, cp_model.IntVar]]) -> cp_model.LinearExprT:
    """sum(coefficient * variable), built in one call (Python's sum is slow on large models)."""
    terms = list(terms)
    return cp_model.LinearExpr.weighted_sum([v for _, v in terms], [c for c, _ in terms])


def _value(values: dict[int, int], index: int) -> int:
    """The value of a literal by proto index; CP-SAT encodes not(x) as -x-1."""
    return values[index] if index >= 0 else 1 - values[-index - 1]


def _is_constant(literal: Literal, value: int) -> bool:
    # IntVar overloads ==, so constants are recognised by type before comparing.
    return isinstance(literal, int) and literal == value


def _busy(
    model: CoTeachingModel,
    teacher_id: str,
    slot_id: str,
    own: dict[str, str],
    activities: Iterable[cp_model.IntVar],
) -> Literal:
    """1 for an own lesson, else the (at most one) activity in the slot, else 0."""
    if slot_id in own:
        return 1
    activities = list(activities)
    if not activities:
        return 0
    if len(activities) == 1:
        return activities[0]
    var = model.cp.new_bool_var(f"busy[{teacher_id},{slot_id}]")
    model.cp.add(var == cp_model.LinearExpr.sum(activities))
    indices = [a.index for a in activities]
    model.definitions.append((var, lambda v: sum(v[i] for i in indices)))
    return var


def _same(reason: Reason) -> Reason:
    return reason


# The requirements an explanation can name, as sentences with their data.
def _capacity_reason(teacher: Teacher) -> Reason:
    return Reason(
        "capacity",
        f"{teacher.id} can co-teach at most {teacher.capacity} hours a week",
        {"teacher": teacher.id, "capacity": teacher.capacity},
    )


def _max_coteachers_reason(lesson_id: str, limit: int) -> Reason:
    return Reason(
        "max_coteachers",
        f"lesson {lesson_id} may have at most {limit} co-teacher(s)",
        {"lesson": lesson_id, "max_coteachers": limit},
    )


def _min_lessons_reason(key: tuple[str, str], minimum: int) -> Reason:
    return Reason(
        "min_lessons",
        f"a pair shares at least {minimum} hours a week ({key[0]} and {key[1]})",
        {"teachers": list(key), "min_lessons": minimum},
    )


def _max_partners_reason(teacher_id: str, limit: int) -> Reason:
    return Reason(
        "max_partners",
        f"{teacher_id} may have at most {limit} co-teaching partner(s)",
        {"teacher": teacher_id, "max_partners": limit},
    )


def _team_meeting_reason(team: Team) -> Reason:
    return Reason(
        "team_meeting",
        f"team {team.id} needs a weekly meeting of {team.length} slot(s)"
        f" with {join_ids(team.members)}",
        {"team": team.id, "length": team.length, "members": list(team.members)},
    )


def _pinned_reason(pin: Pin) -> Reason:
    return Reason(
        "pinned",
        f"{pin.teacher} is pinned to co-teach lesson {pin.lesson}",
        {"lesson": pin.lesson, "teacher": pin.teacher},
    )


def _pinned_meeting_reason(pin: MeetingPin) -> Reason:
    return Reason(
        "pinned_meeting",
        f"team {pin.team} is pinned to meet at {pin.start}",
        {"team": pin.team, "slot": pin.start},
    )


def _reason_key(reason: Reason) -> tuple:
    """One assumption per requirement: both slots of a double own lesson are one requirement,
    and a teacher's unwillingness is one requirement whether hosting or joining."""
    data = reason.data
    code = reason.code
    if code == "capacity":
        return ("capacity", data["teacher"])
    if code == "own_lesson":
        return (code, data["teacher"], data["lesson"])
    if code in ("avoided", "rejected_pair"):
        return (code, *data["teachers"])
    if code == "rejected_lesson":
        return (code, data["lesson"], data["teacher"] or "")
    if code == "unavailable":
        return (code, data["teacher"], data["slot"])
    if code == "not_willing":
        return (code, data["teacher"])
    return (code, data.get("lesson", ""), data.get("teacher", ""))
