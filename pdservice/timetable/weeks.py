"""The week as the pages, the CSV export and the calendar feed see it.

A `Week` is the term's period grid with entries in its cells: lessons, co-taught lessons (the
published co-teaching) and team meetings (the published meetings). The unit's week has every
entry; a teacher's week their own lessons, the lessons they co-teach and their teams'
meetings; a group's week its lessons. Only what is published is shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from pdservice.core.models import User
from pdservice.extensions import db
from pdservice.timetable.models import Group, Lesson, PeriodSlot, Term
from pdservice.timetable.services import term_lessons, term_slots

LESSON, COTEACHING, MEETING = "lesson", "coteaching", "meeting"


@dataclass
class Entry:
    """One thing in one period. `kind`: lesson, coteaching (a lesson with a co-teacher) or
    meeting. For a teacher's own week, `role` says whether they host or join the lesson."""

    kind: str
    slot: PeriodSlot
    lesson: Lesson | None = None
    coteachers: list[User] = field(default_factory=list)
    team_name: str | None = None
    team_id: int | None = None
    members: list[User] = field(default_factory=list)
    role: str | None = None  # "host" or "joins" in a teacher's week

    @property
    def marked(self) -> bool:
        return self.kind in (COTEACHING, MEETING)


@dataclass
class Week:
    term: Term
    slots: list[PeriodSlot]
    entries: list[Entry] = field(default_factory=list)

    @property
    def days(self) -> list[int]:
        return sorted({s.day for s in self.slots})

    @property
    def indices(self) -> list[int]:
        return sorted({s.index for s in self.slots})

    def slot(self, day: int, index: int) -> PeriodSlot | None:
        return self._slots.get((day, index))

    def cell(self, day: int, index: int) -> list[Entry]:
        return self._cells.get((day, index), [])

    def __post_init__(self) -> None:
        self._slots = {(s.day, s.index): s for s in self.slots}
        self._cells: dict[tuple[int, int], list[Entry]] = defaultdict(list)

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)
        self._cells[(entry.slot.day, entry.slot.index)].append(entry)

    @property
    def counts(self) -> dict[str, int]:
        counts = {LESSON: 0, COTEACHING: 0, MEETING: 0}
        for entry in self.entries:
            counts[entry.kind] += 1
        return counts

    def sorted_entries(self) -> list[Entry]:
        return sorted(
            self.entries,
            key=lambda e: (
                e.slot.day,
                e.slot.index,
                {MEETING: 0, COTEACHING: 1, LESSON: 2}[e.kind],
                e.lesson.group_codes if e.lesson else (e.team_name or ""),
            ),
        )


def published_coteachers(term_id: int) -> dict[int, list[User]]:
    """Lesson id -> its published co-teachers."""
    from pdservice.coteaching.models import CoTeachingAssignment

    result: dict[int, list[User]] = defaultdict(list)
    for decision in db.session.scalars(
        sa.select(CoTeachingAssignment)
        .where(CoTeachingAssignment.term_id == term_id, CoTeachingAssignment.published)
        .options(so.joinedload(CoTeachingAssignment.coteacher))
    ):
        result[decision.lesson_id].append(decision.coteacher)
    for users in result.values():
        users.sort(key=lambda u: u.name)
    return result


@dataclass(frozen=True)
class PublishedMeeting:
    team_id: int
    team_name: str
    slots: tuple[PeriodSlot, ...]
    members: tuple[User, ...]


def published_meetings(term: Term) -> list[PublishedMeeting]:
    from pdservice.teams.models import Team, TeamMeeting, TeamMember

    by_position = {(s.day, s.index): s for s in term.slots}
    meetings = []
    for meeting in db.session.scalars(
        sa.select(TeamMeeting)
        .where(TeamMeeting.term_id == term.id, TeamMeeting.published_slot_id.is_not(None))
        .options(
            so.joinedload(TeamMeeting.team).selectinload(Team.members).joinedload(TeamMember.user),
            so.joinedload(TeamMeeting.published_slot),
        )
    ):
        start = meeting.published_slot
        slots = tuple(
            by_position[(start.day, index)]
            for index in range(start.index, start.index + (meeting.published_length or 1))
            if (start.day, index) in by_position
        )
        members = tuple(sorted((m.user for m in meeting.team.members), key=lambda u: u.name))
        meetings.append(PublishedMeeting(meeting.team_id, meeting.team.name, slots, members))
    return meetings


def _lesson_entries(
    week: Week, lesson: Lesson, coteachers: list[User], role: str | None = None
) -> None:
    kind = COTEACHING if coteachers else LESSON
    for slot in lesson.slots:
        week.add(Entry(kind, slot, lesson=lesson, coteachers=coteachers, role=role))


def _meeting_entries(week: Week, meeting: PublishedMeeting) -> None:
    for slot in meeting.slots:
        week.add(
            Entry(
                MEETING,
                slot,
                team_name=meeting.team_name,
                team_id=meeting.team_id,
                members=list(meeting.members),
            )
        )


def unit_week(term: Term) -> Week:
    week = Week(term, term_slots(term.id))
    coteachers = published_coteachers(term.id)
    for lesson in term_lessons(term.id):
        _lesson_entries(week, lesson, coteachers.get(lesson.id, []))
    for meeting in published_meetings(term):
        _meeting_entries(week, meeting)
    return week


def teacher_week(term: Term, user: User) -> Week:
    week = Week(term, term_slots(term.id))
    coteachers = published_coteachers(term.id)
    for lesson in term_lessons(term.id):
        joined = coteachers.get(lesson.id, [])
        if lesson.teacher_id == user.id:
            _lesson_entries(week, lesson, joined, role="host" if joined else None)
        elif any(u.id == user.id for u in joined):
            _lesson_entries(week, lesson, joined, role="joins")
    for meeting in published_meetings(term):
        if any(m.id == user.id for m in meeting.members):
            _meeting_entries(week, meeting)
    return week


def group_week(term: Term, group: Group) -> Week:
    week = Week(term, term_slots(term.id))
    coteachers = published_coteachers(term.id)
    for lesson in term_lessons(term.id):
        if any(g.id == group.id for g in lesson.groups):
            _lesson_entries(week, lesson, coteachers.get(lesson.id, []))
    return week


def term_teachers(term: Term) -> list[User]:
    """Everyone with a lesson in the term, and the unit's other staff after them."""
    from pdservice.timetable.services import unit_staff

    teaching = {
        user.id: user
        for user in db.session.scalars(
            sa.select(User)
            .join(Lesson, Lesson.teacher_id == User.id)
            .where(Lesson.term_id == term.id)
        )
    }
    for user in unit_staff(term.unit_id):
        teaching.setdefault(user.id, user)
    return sorted(teaching.values(), key=lambda u: u.name)


def term_groups(term: Term) -> list[Group]:
    return list(
        db.session.scalars(sa.select(Group).where(Group.term_id == term.id).order_by(Group.code))
    )
