"""The solver's input: a school's weekly timetable plus the wishes and rules around co-teaching.

Every class here is a frozen dataclass that checks itself on construction, and `Problem` checks
the references between them, so a bad input fails early with an error that names the offending
item instead of surfacing later as a confusing solver status.

Units: a *slot* is one lesson period of the weekly timetable; "hours" in this package always
means slots (Finnish "viikkotunti"), so a double lesson counts as two hours of capacity and two
shared hours of a pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

CLASS_TEACHER = "class_teacher"
SUBJECT_TEACHER = "subject_teacher"
SPECIAL_NEEDS_TEACHER = "special_needs_teacher"
SPECIAL_CLASS_TEACHER = "special_class_teacher"

#: Professions that may co-teach a lesson. Other staff (psychologist, nurse, school social
#: worker, guidance counsellor, principal, school assistant...) take part in teams only.
CO_TEACHING_PROFESSIONS = frozenset(
    {CLASS_TEACHER, SUBJECT_TEACHER, SPECIAL_NEEDS_TEACHER, SPECIAL_CLASS_TEACHER}
)
#: Special-needs professionals: competent to co-teach any lesson, and the natural partner of a
#: class or subject teacher (special-needs teaching alongside other teaching).
SPECIALIST_PROFESSIONS = frozenset({SPECIAL_NEEDS_TEACHER, SPECIAL_CLASS_TEACHER})
#: Professions a specialist complements.
MAINSTREAM_PROFESSIONS = frozenset({CLASS_TEACHER, SUBJECT_TEACHER})
KNOWN_PROFESSIONS = CO_TEACHING_PROFESSIONS | frozenset(
    {
        "guidance_counsellor",
        "school_assistant",
        "psychologist",
        "school_social_worker",
        "nurse",
        "principal",
        "vice_principal",
        "other",
    }
)
#: Class teachers are qualified for every subject in grades 1-6.
LAST_PRIMARY_GRADE = 6
#: Need points of a group with group-specific support (ryhmäkohtainen tuki); each pupil with
#: pupil-specific support adds one point.
GROUP_SUPPORT_POINTS = 3


#: The teacher fields that are sets of ids or codes (lists in JSON and CSV).
TEACHER_SET_FIELDS = (
    "subjects",
    "unavailable",
    "wished",
    "avoided",
    "strengths",
    "development_goals",
)


class ProblemError(ValueError):
    """Raised for an input that cannot describe a school week; the message names the item."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ProblemError(message)


def _ids(values: Iterable[str], what: str) -> frozenset[str]:
    result = frozenset(values)
    for value in result:
        _require(isinstance(value, str) and value != "", f"{what}: ids must be non-empty strings")
    return result


def pair_key(a: str, b: str) -> tuple[str, str]:
    """The canonical (sorted) key of an unordered teacher pair."""
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True)
class Slot:
    """One period of the weekly timetable; `index` orders the periods within a day."""

    id: str
    day: str
    index: int

    def __post_init__(self) -> None:
        _require(bool(self.id), "slot: id must not be empty")
        _require(bool(self.day), f"slot {self.id!r}: day must not be empty")
        _require(isinstance(self.index, int), f"slot {self.id!r}: index must be an integer")


@dataclass(frozen=True)
class Teacher:
    """A staff member. Only co-teaching professions can co-teach; anyone can sit in a team.

    `capacity` is the most co-teaching hours a week, counted in both roles (hosting a co-teacher
    in one's own lesson or joining a colleague's lesson), because each co-taught hour needs the
    same joint planning from both. It is the person's: `hours_elsewhere` are the co-teaching
    hours they already have in other units, which count against it (a teacher in two schools
    has one capacity), as does co-teaching already in this timetable (`Lesson.coteachers`).
    `strengths` and `development_goals` are competence codes (e.g. transversal competences
    "L1".."L7" or strategy themes) from the app's competence profiles.
    """

    id: str
    name: str = ""
    profession: str = CLASS_TEACHER
    subjects: frozenset[str] = frozenset()
    unavailable: frozenset[str] = frozenset()
    capacity: int = 4
    willing: bool = True
    wished: frozenset[str] = frozenset()
    avoided: frozenset[str] = frozenset()
    strengths: frozenset[str] = frozenset()
    development_goals: frozenset[str] = frozenset()
    hours_elsewhere: int = 0

    def __post_init__(self) -> None:
        _require(bool(self.id), "teacher: id must not be empty")
        _require(
            self.profession in KNOWN_PROFESSIONS,
            f"teacher {self.id!r}: unknown profession {self.profession!r}"
            f" (known: {', '.join(sorted(KNOWN_PROFESSIONS))})",
        )
        _require(
            isinstance(self.capacity, int) and not isinstance(self.capacity, bool),
            f"teacher {self.id!r}: capacity must be an integer",
        )
        _require(self.capacity >= 0, f"teacher {self.id!r}: capacity {self.capacity} is negative")
        _require(
            isinstance(self.hours_elsewhere, int)
            and not isinstance(self.hours_elsewhere, bool)
            and self.hours_elsewhere >= 0,
            f"teacher {self.id!r}: hours_elsewhere must be a non-negative integer",
        )
        for name in TEACHER_SET_FIELDS:
            object.__setattr__(self, name, _ids(getattr(self, name), f"teacher {self.id!r} {name}"))
        _require(self.id not in self.wished, f"teacher {self.id!r} wishes to pair with itself")
        _require(self.id not in self.avoided, f"teacher {self.id!r} avoids itself")
        both = self.wished & self.avoided
        _require(not both, f"teacher {self.id!r} both wishes and avoids {sorted(both)}")

    @property
    def can_co_teach(self) -> bool:
        return self.profession in CO_TEACHING_PROFESSIONS

    @property
    def is_specialist(self) -> bool:
        return self.profession in SPECIALIST_PROFESSIONS


@dataclass(frozen=True)
class Group:
    """A pupil group. Its support need is why a second adult in its lessons helps most."""

    id: str
    grade: int | None = None
    size: int = 20
    group_support: bool = False
    pupil_support: int = 0

    def __post_init__(self) -> None:
        _require(bool(self.id), "group: id must not be empty")
        _require(self.size >= 0, f"group {self.id!r}: size {self.size} is negative")
        _require(
            self.pupil_support >= 0,
            f"group {self.id!r}: pupil_support {self.pupil_support} is negative",
        )
        _require(self.grade is None or self.grade >= 0, f"group {self.id!r}: grade must be >= 0")

    @property
    def need(self) -> int:
        """Support-need points: group-specific support plus one per pupil-specific support."""
        return GROUP_SUPPORT_POINTS * int(self.group_support) + self.pupil_support


@dataclass(frozen=True)
class Lesson:
    """One weekly lesson of the fixed timetable; a double lesson lists two consecutive slots.

    A lesson usually has one pupil group; combined lessons (several groups taught together, as
    in XHSTT option blocks) list them all, the first being the main group.

    `coteachers` already teach the lesson together with `teacher` in the school's timetable
    (team teaching): a fact, not a request. It occupies them, counts toward their capacity,
    partners and the indicator, and is never held to the rules for new pairs (competence, a
    pair's minimum hours), so it can never make a request infeasible.
    """

    id: str
    groups: tuple[str, ...]
    teacher: str
    slots: tuple[str, ...]
    subject: str = ""
    coteachers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require(bool(self.id), "lesson: id must not be empty")
        object.__setattr__(self, "groups", tuple(self.groups))
        object.__setattr__(self, "slots", tuple(self.slots))
        object.__setattr__(self, "coteachers", tuple(self.coteachers))
        _require(
            len(set(self.coteachers)) == len(self.coteachers),
            f"lesson {self.id!r}: repeated co-teacher",
        )
        _require(
            self.teacher not in self.coteachers,
            f"lesson {self.id!r}: its teacher {self.teacher!r} is also listed as co-teacher",
        )
        _require(len(self.groups) > 0, f"lesson {self.id!r}: has no group")
        _require(len(set(self.groups)) == len(self.groups), f"lesson {self.id!r}: repeated group")
        _require(len(self.slots) > 0, f"lesson {self.id!r}: occupies no slot")
        _require(len(set(self.slots)) == len(self.slots), f"lesson {self.id!r}: repeated slot")
        _require(bool(self.teacher), f"lesson {self.id!r}: has no teacher")

    @property
    def group(self) -> str:
        return self.groups[0]

    @property
    def hours(self) -> int:
        return len(self.slots)

    @property
    def teachers(self) -> tuple[str, ...]:
        """Everyone who teaches the lesson in the timetable: its teacher and co-teachers."""
        return (self.teacher, *self.coteachers)

    @property
    def slots_set(self) -> frozenset[str]:
        return frozenset(self.slots)


#: Kinds of commitment: an event of this unit's timetable that is no lesson to co-teach (an
#: elective of pupils from several classes, a duty, a meeting...), and whatever occupies the
#: person in another unit (lessons, co-teaching, meetings of its published timetable).
COMMITMENT_KINDS = frozenset({"event", "other_unit"})


@dataclass(frozen=True)
class Commitment:
    """Fixed slots when `teachers` are busy with something that is no lesson of this school
    to co-teach: every event a teacher takes part in occupies that teacher. No co-teaching
    or meeting is ever placed there, and the teachers count as at work for their days' idle
    slots."""

    id: str
    teachers: tuple[str, ...]
    slots: tuple[str, ...]
    kind: str = "event"
    label: str = ""

    def __post_init__(self) -> None:
        _require(bool(self.id), "commitment: id must not be empty")
        object.__setattr__(self, "teachers", tuple(self.teachers))
        object.__setattr__(self, "slots", tuple(self.slots))
        _require(len(self.teachers) > 0, f"commitment {self.id!r}: has no teacher")
        _require(len(self.slots) > 0, f"commitment {self.id!r}: occupies no slot")
        _require(
            self.kind in COMMITMENT_KINDS,
            f"commitment {self.id!r}: unknown kind {self.kind!r}"
            f" (known: {', '.join(sorted(COMMITMENT_KINDS))})",
        )


@dataclass(frozen=True)
class Team:
    """A team that needs one weekly meeting of `length` consecutive slots on one day.

    `allowed` lists the slots the meeting may occupy; empty means any slot.
    """

    id: str
    members: tuple[str, ...]
    length: int = 1
    allowed: frozenset[str] = frozenset()
    name: str = ""
    kind: str = ""

    def __post_init__(self) -> None:
        _require(bool(self.id), "team: id must not be empty")
        object.__setattr__(self, "members", tuple(self.members))
        object.__setattr__(self, "allowed", frozenset(self.allowed))
        _require(len(self.members) > 0, f"team {self.id!r}: has no members")
        _require(len(set(self.members)) == len(self.members), f"team {self.id!r}: repeated member")
        _require(self.length >= 1, f"team {self.id!r}: meeting length {self.length} is below 1")


@dataclass(frozen=True)
class Pin:
    """A principal's decision: `teacher` co-teaches `lesson`, whatever else the solver does."""

    lesson: str
    teacher: str


@dataclass(frozen=True)
class MeetingPin:
    """A principal's decision: `team` meets starting at slot `start`."""

    team: str
    start: str


@dataclass(frozen=True)
class RejectedPair:
    """A principal's decision: these two never form a co-teaching pair."""

    teachers: tuple[str, str]

    def __post_init__(self) -> None:
        a, b = self.teachers
        _require(a != b, f"rejected pair ({a!r}, {b!r}) names the same teacher twice")
        object.__setattr__(self, "teachers", pair_key(a, b))


@dataclass(frozen=True)
class RejectedLesson:
    """A principal's decision: `teacher` never co-teaches `lesson`; no teacher means nobody."""

    lesson: str
    teacher: str | None = None


def _check_unique(items: Iterable[object], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        item_id = item.id  # type: ignore[attr-defined]
        _require(item_id not in seen, f"duplicate {what} id {item_id!r}")
        seen.add(item_id)


@dataclass(frozen=True)
class Problem:
    """A whole solve request except the parameters: timetable, people, teams and decisions."""

    slots: tuple[Slot, ...]
    teachers: tuple[Teacher, ...]
    groups: tuple[Group, ...]
    lessons: tuple[Lesson, ...]
    teams: tuple[Team, ...] = ()
    pins: tuple[Pin, ...] = ()
    meeting_pins: tuple[MeetingPin, ...] = ()
    rejected_pairs: tuple[RejectedPair, ...] = ()
    rejected_lessons: tuple[RejectedLesson, ...] = ()
    last_term_pairs: frozenset[tuple[str, str]] = frozenset()
    name: str = ""
    notes: tuple[str, ...] = field(default=(), compare=False)
    commitments: tuple[Commitment, ...] = ()

    def __post_init__(self) -> None:
        for name in (
            "slots",
            "teachers",
            "groups",
            "lessons",
            "teams",
            "pins",
            "meeting_pins",
            "rejected_pairs",
            "rejected_lessons",
            "notes",
            "commitments",
        ):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(
            self,
            "last_term_pairs",
            frozenset(pair_key(*pair) for pair in self.last_term_pairs),
        )
        _check_unique(self.slots, "slot")
        _check_unique(self.teachers, "teacher")
        _check_unique(self.groups, "group")
        _check_unique(self.lessons, "lesson")
        _check_unique(self.teams, "team")
        _check_unique([*self.lessons, *self.commitments], "lesson or commitment")
        self._check_slots()
        self._check_teachers()
        self._check_lessons()
        self._check_teams()
        self._check_commitments()
        self._check_decisions()

    # --- lookups -------------------------------------------------------------------------
    def teacher(self, teacher_id: str) -> Teacher:
        return self._by_id("teachers")[teacher_id]

    def group(self, group_id: str) -> Group:
        return self._by_id("groups")[group_id]

    def lesson(self, lesson_id: str) -> Lesson:
        return self._by_id("lessons")[lesson_id]

    def team(self, team_id: str) -> Team:
        return self._by_id("teams")[team_id]

    def slot(self, slot_id: str) -> Slot:
        return self._by_id("slots")[slot_id]

    def commitment(self, commitment_id: str) -> Commitment:
        return self._by_id("commitments")[commitment_id]

    def groups_taught(self, teacher_id: str) -> frozenset[str]:
        """The pupil groups whose lessons `teacher_id` teaches in the timetable."""
        return self._memo("groups_taught", self._compute_groups_taught).get(teacher_id, frozenset())

    def grades_taught(self, teacher_id: str) -> frozenset[int]:
        """The grades of the groups `teacher_id` teaches."""
        return frozenset(
            grade
            for group_id in self.groups_taught(teacher_id)
            if (grade := self.group(group_id).grade) is not None
        )

    def _compute_groups_taught(self) -> dict[str, frozenset[str]]:
        taught: dict[str, set[str]] = {}
        for lesson in self.lessons:
            for teacher_id in lesson.teachers:
                taught.setdefault(teacher_id, set()).update(lesson.groups)
        return {teacher_id: frozenset(groups) for teacher_id, groups in taught.items()}

    def _by_id(self, name: str) -> dict:
        # The hottest lookup of the package (lessons and teachers by id): the cached dict
        # first, without building a closure.
        found = self.__dict__.get("_cache", {}).get(name)
        if found is not None:
            return found
        return self._memo(name, lambda: {item.id: item for item in getattr(self, name)})

    def _memo(self, key: str, compute):  # noqa: ANN001, ANN202 - private cache helper
        # A frozen dataclass cannot assign attributes, but derived lookups are pure functions
        # of the fields, so caching them in the instance dict is safe and saves rebuilding
        # dictionaries on every lookup.
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def day_slots(self) -> dict[str, list[str]]:
        """Slot ids per day, days in order of first appearance, slots by index."""
        days: dict[str, list[Slot]] = {}
        for slot in self.slots:
            days.setdefault(slot.day, []).append(slot)
        return {day: [s.id for s in sorted(ss, key=lambda s: s.index)] for day, ss in days.items()}

    def consecutive(self, slot_ids: Iterable[str]) -> bool:
        """True when the slots are one unbroken run of periods on one day."""
        slots = [self.slot(s) for s in slot_ids]
        if len({s.day for s in slots}) != 1:
            return False
        indices = sorted(s.index for s in slots)
        return indices == list(range(indices[0], indices[0] + len(indices)))

    # --- validation ------------------------------------------------------------------------
    def _check_slots(self) -> None:
        _require(len(self.slots) > 0, "the week has no slots")
        seen: dict[tuple[str, int], str] = {}
        for slot in self.slots:
            key = (slot.day, slot.index)
            _require(
                key not in seen,
                f"slots {seen.get(key)!r} and {slot.id!r} are both day {slot.day!r}"
                f" index {slot.index}",
            )
            seen[key] = slot.id

    def _check_teachers(self) -> None:
        slots = self._by_id("slots")
        teachers = self._by_id("teachers")
        for teacher in self.teachers:
            for slot_id in sorted(teacher.unavailable):
                _require(
                    slot_id in slots,
                    f"teacher {teacher.id!r}: unavailable slot {slot_id!r} does not exist",
                )
            for other in sorted(teacher.wished | teacher.avoided):
                _require(
                    other in teachers,
                    f"teacher {teacher.id!r}: wished or avoided teacher {other!r} is unknown",
                )

    def _check_lessons(self) -> None:
        slots = self._by_id("slots")
        groups = self._by_id("groups")
        teachers = self._by_id("teachers")
        occupied: dict[tuple[str, str], str] = {}
        for lesson in self.lessons:
            _require(
                lesson.teacher in teachers,
                f"lesson {lesson.id!r}: teacher {lesson.teacher!r} is unknown",
            )
            for coteacher in lesson.coteachers:
                _require(
                    coteacher in teachers,
                    f"lesson {lesson.id!r}: co-teacher {coteacher!r} is unknown",
                )
            for group_id in lesson.groups:
                _require(group_id in groups, f"lesson {lesson.id!r}: group {group_id!r} is unknown")
            for slot_id in lesson.slots:
                _require(slot_id in slots, f"lesson {lesson.id!r}: slot {slot_id!r} does not exist")
            _require(
                self.consecutive(lesson.slots),
                f"lesson {lesson.id!r}: slots {list(lesson.slots)} are not consecutive on one day",
            )
            for teacher_id in lesson.teachers:
                for slot_id in lesson.slots:
                    key = (teacher_id, slot_id)
                    _require(
                        key not in occupied,
                        f"teacher {teacher_id!r} teaches lessons {occupied.get(key)!r} and"
                        f" {lesson.id!r} at the same time ({slot_id})",
                    )
                    occupied[key] = lesson.id

    def _check_teams(self) -> None:
        slots = self._by_id("slots")
        teachers = self._by_id("teachers")
        for team in self.teams:
            for member in team.members:
                _require(member in teachers, f"team {team.id!r}: member {member!r} is unknown")
            for slot_id in sorted(team.allowed):
                _require(
                    slot_id in slots, f"team {team.id!r}: allowed slot {slot_id!r} does not exist"
                )

    def _check_commitments(self) -> None:
        slots = self._by_id("slots")
        teachers = self._by_id("teachers")
        for commitment in self.commitments:
            for teacher_id in commitment.teachers:
                _require(
                    teacher_id in teachers,
                    f"commitment {commitment.id!r}: teacher {teacher_id!r} is unknown",
                )
            for slot_id in commitment.slots:
                _require(
                    slot_id in slots,
                    f"commitment {commitment.id!r}: slot {slot_id!r} does not exist",
                )

    def _check_decisions(self) -> None:
        lessons = self._by_id("lessons")
        teachers = self._by_id("teachers")
        teams = self._by_id("teams")
        slots = self._by_id("slots")
        for pin in self.pins:
            _require(pin.lesson in lessons, f"pin: lesson {pin.lesson!r} is unknown")
            _require(pin.teacher in teachers, f"pin: teacher {pin.teacher!r} is unknown")
            _require(
                pin.teacher not in lessons[pin.lesson].teachers,
                f"pin: teacher {pin.teacher!r} already teaches lesson {pin.lesson!r}",
            )
        _require(len(set(self.pins)) == len(self.pins), "the same pin is given twice")
        for meeting_pin in self.meeting_pins:
            _require(
                meeting_pin.team in teams, f"meeting pin: team {meeting_pin.team!r} is unknown"
            )
            _require(
                meeting_pin.start in slots,
                f"meeting pin: slot {meeting_pin.start!r} does not exist",
            )
        pinned_teams = [p.team for p in self.meeting_pins]
        _require(
            len(set(pinned_teams)) == len(pinned_teams), "a team has more than one meeting pin"
        )
        for rejected in self.rejected_pairs:
            for teacher_id in rejected.teachers:
                _require(
                    teacher_id in teachers, f"rejected pair: teacher {teacher_id!r} is unknown"
                )
        for rejected_lesson in self.rejected_lessons:
            _require(
                rejected_lesson.lesson in lessons,
                f"rejected lesson: lesson {rejected_lesson.lesson!r} is unknown",
            )
            _require(
                rejected_lesson.teacher is None or rejected_lesson.teacher in teachers,
                f"rejected lesson: teacher {rejected_lesson.teacher!r} is unknown",
            )
        for a, b in sorted(self.last_term_pairs):
            _require(a != b, f"last term pair ({a!r}, {b!r}) names the same teacher twice")
            for teacher_id in (a, b):
                _require(
                    teacher_id in teachers, f"last term pair: teacher {teacher_id!r} is unknown"
                )


def is_competent(problem: Problem, teacher: Teacher, lesson: Lesson) -> bool:
    """Whether `teacher` is qualified to co-teach `lesson` (before time and wishes matter).

    Everyone may co-teach the lessons of groups they teach themselves (they know the pupils)
    and lessons of their subjects. Beyond that, specialists may co-teach any lesson, and a
    class teacher, qualified for every subject of grades 1-6, the primary lessons of the grades
    they teach (parallel classes: the usual class-teacher pair).
    """
    if not teacher.can_co_teach or teacher.id == lesson.teacher:
        return False
    if teacher.is_specialist or not problem.groups_taught(teacher.id).isdisjoint(lesson.groups):
        return True
    if lesson.subject and lesson.subject in teacher.subjects:
        return True
    if teacher.profession != CLASS_TEACHER:
        return False
    grades = {problem.group(g).grade for g in lesson.groups}
    primary = all(grade is not None and 1 <= grade <= LAST_PRIMARY_GRADE for grade in grades)
    return primary and grades <= problem.grades_taught(teacher.id)


def complementarity_points(a: Teacher, b: Teacher) -> int:
    """How much two teachers complement each other's competences.

    Two points when a specialist works with a class or subject teacher, plus one point for
    each development goal of one that is a strength of the other (mentoring both ways).
    """
    points = 0
    if (a.is_specialist and b.profession in MAINSTREAM_PROFESSIONS) or (
        b.is_specialist and a.profession in MAINSTREAM_PROFESSIONS
    ):
        points += 2
    points += len(a.development_goals & b.strengths) + len(b.development_goals & a.strengths)
    return points


def wish_points(a: Teacher, b: Teacher) -> int:
    """One point for each of the two who wished the other as a partner."""
    return int(b.id in a.wished) + int(a.id in b.wished)


def avoids(a: Teacher, b: Teacher) -> bool:
    return b.id in a.avoided or a.id in b.avoided
