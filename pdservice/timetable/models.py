"""A unit's weekly timetable for one term: the period grid, pupil groups, subjects, lessons.

A term's timetable is imported as a whole (CSV or XHSTT) and replaced as a whole; rows keep
their identity across imports by natural keys (a slot by day and index, a group or subject by
code, a lesson by its code), so decisions that refer to them survive a re-import.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pdservice.core.enums import Language
from pdservice.core.models import SchoolYear, Unit, User
from pdservice.db import UtcDateTime, enum_column, utcnow
from pdservice.extensions import db


class Term(db.Model):
    """A part of a school year with one weekly timetable (e.g. the autumn term)."""

    __tablename__ = "term"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True
    )
    school_year_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("school_year.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    starts_on: so.Mapped[date] = so.mapped_column(sa.Date)
    ends_on: so.Mapped[date] = so.mapped_column(sa.Date)
    # Bumped by every import: a solve run made on an older version cannot be reviewed.
    timetable_version: so.Mapped[int] = so.mapped_column(default=0)
    source: so.Mapped[str | None] = so.mapped_column(sa.String(20))  # csv, xhstt, demo
    source_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    imported_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)
    imported_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # What the last import said (counts, XHSTT solution and teacher mapping).
    import_info: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)

    unit: so.Mapped[Unit] = so.relationship()
    school_year: so.Mapped[SchoolYear] = so.relationship()
    imported_by: so.Mapped[User | None] = so.relationship()
    slots: so.Mapped[list[PeriodSlot]] = so.relationship(
        back_populates="term",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(PeriodSlot.day, PeriodSlot.index)",
    )

    __table_args__ = (
        sa.UniqueConstraint("unit_id", "name"),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return {self.unit_id}

    @property
    def has_timetable(self) -> bool:
        return self.timetable_version > 0

    def __repr__(self) -> str:
        return f"<Term {self.unit_id}:{self.name}>"


class PeriodSlot(db.Model):
    """One period of the weekly grid: ISO weekday (1 = Monday), its index in the day, times."""

    __tablename__ = "period_slot"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    term_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("term.id", ondelete="CASCADE"), index=True
    )
    day: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    index: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    starts_at: so.Mapped[time] = so.mapped_column(sa.Time)
    ends_at: so.Mapped[time] = so.mapped_column(sa.Time)

    term: so.Mapped[Term] = so.relationship(back_populates="slots")

    __table_args__ = (
        sa.UniqueConstraint("term_id", "day", "index"),
        sa.CheckConstraint("day BETWEEN 1 AND 7", name="day_range"),
        sa.CheckConstraint('"index" >= 1', name="index_positive"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    @property
    def code(self) -> str:
        """A stable, language-neutral id: "Mo-1"."""
        from pdservice.timetable.grid import slot_code

        return slot_code(self.day, self.index)

    def __repr__(self) -> str:
        return f"<PeriodSlot {self.code}>"


class Subject(db.Model):
    __tablename__ = "subject"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    term_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("term.id", ondelete="CASCADE"), index=True
    )
    code: so.Mapped[str] = so.mapped_column(sa.String(40))
    name: so.Mapped[str] = so.mapped_column(sa.String(120))

    __table_args__ = (
        sa.UniqueConstraint("term_id", "code"),
        sa.CheckConstraint("length(code) > 0", name="code_not_empty"),
    )


class Group(db.Model):
    """A pupil group and its support need under the 2025 model: group-specific support for
    the whole group, and the number of pupils who have pupil-specific support."""

    __tablename__ = "pupil_group"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    term_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("term.id", ondelete="CASCADE"), index=True
    )
    code: so.Mapped[str] = so.mapped_column(sa.String(40))
    grade: so.Mapped[int | None] = so.mapped_column(sa.SmallInteger)
    language: so.Mapped[Language] = so.mapped_column(enum_column(Language, 2))
    size: so.Mapped[int] = so.mapped_column(sa.SmallInteger, default=20)
    group_support: so.Mapped[bool] = so.mapped_column(default=False)
    pupil_support: so.Mapped[int] = so.mapped_column(sa.SmallInteger, default=0)

    __table_args__ = (
        sa.UniqueConstraint("term_id", "code"),
        sa.CheckConstraint("length(code) > 0", name="code_not_empty"),
        sa.CheckConstraint("grade IS NULL OR grade BETWEEN 0 AND 13", name="grade_range"),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
        sa.CheckConstraint(
            "pupil_support >= 0 AND pupil_support <= size", name="pupil_support_range"
        ),
    )

    @property
    def has_support_need(self) -> bool:
        return self.group_support or self.pupil_support > 0


#: Team teaching in the imported timetable (an event or Untis lesson with several teachers):
#: the lesson's further teachers. A fact the solver builds on, not a decision to review.
lesson_coteacher = sa.Table(
    "lesson_coteacher",
    db.metadata,
    sa.Column(
        "lesson_id", sa.ForeignKey("lesson.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
    sa.Column(
        "user_id",
        sa.ForeignKey("user_account.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


lesson_extra_group = sa.Table(
    "lesson_extra_group",
    db.metadata,
    sa.Column(
        "lesson_id", sa.ForeignKey("lesson.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
    sa.Column(
        "group_id",
        sa.ForeignKey("pupil_group.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Lesson(db.Model):
    """A weekly lesson: a group (combined lessons list more), a subject, a teacher, one or more
    consecutive periods of one day, a room."""

    __tablename__ = "lesson"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    term_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("term.id", ondelete="CASCADE"), index=True
    )
    # Stable across re-imports: the file's lesson id, else derived from group and time.
    code: so.Mapped[str] = so.mapped_column(sa.String(80))
    group_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("pupil_group.id", ondelete="CASCADE"), index=True
    )
    subject_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("subject.id", ondelete="CASCADE"), index=True
    )
    teacher_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    room: so.Mapped[str | None] = so.mapped_column(sa.String(40))

    term: so.Mapped[Term] = so.relationship()
    group: so.Mapped[Group] = so.relationship()
    extra_groups: so.Mapped[list[Group]] = so.relationship(
        secondary=lesson_extra_group, order_by="Group.code"
    )
    subject: so.Mapped[Subject] = so.relationship()
    teacher: so.Mapped[User] = so.relationship()
    coteachers: so.Mapped[list[User]] = so.relationship(
        secondary=lesson_coteacher, order_by="User.name"
    )
    lesson_slots: so.Mapped[list[LessonSlot]] = so.relationship(
        back_populates="lesson", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.UniqueConstraint("term_id", "code"),
        sa.CheckConstraint("length(code) > 0", name="code_not_empty"),
    )

    @property
    def groups(self) -> list[Group]:
        return [self.group, *self.extra_groups]

    @property
    def slots(self) -> list[PeriodSlot]:
        return sorted((ls.slot for ls in self.lesson_slots), key=lambda s: (s.day, s.index))

    @property
    def group_codes(self) -> str:
        return "+".join(g.code for g in self.groups)

    @property
    def scope_unit_ids(self) -> set[int]:
        return {self.term.unit_id}


class LessonSlot(db.Model):
    """A period a lesson takes. The teacher and the main group are repeated here so that the
    database itself refuses a teacher or a group in two lessons at once."""

    __tablename__ = "lesson_slot"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    lesson_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("lesson.id", ondelete="CASCADE"), index=True
    )
    slot_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("period_slot.id", ondelete="CASCADE"), index=True
    )
    teacher_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    group_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("pupil_group.id", ondelete="CASCADE"), index=True
    )

    lesson: so.Mapped[Lesson] = so.relationship(back_populates="lesson_slots")
    slot: so.Mapped[PeriodSlot] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint("lesson_id", "slot_id"),
        sa.UniqueConstraint("slot_id", "teacher_id"),
        sa.UniqueConstraint("slot_id", "group_id"),
    )


class TimetableEvent(db.Model):
    """Something of the imported timetable that is no lesson to co-teach but occupies its
    teachers: an event without a class (an elective of pupils from several classes, a duty,
    a meeting). Every event a teacher takes part in occupies that teacher."""

    __tablename__ = "timetable_event"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    term_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("term.id", ondelete="CASCADE"), index=True
    )
    code: so.Mapped[str] = so.mapped_column(sa.String(80))
    label: so.Mapped[str] = so.mapped_column(sa.String(120), default="")

    event_slots: so.Mapped[list[TimetableEventSlot]] = so.relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.UniqueConstraint("term_id", "code"),
        sa.CheckConstraint("length(code) > 0", name="code_not_empty"),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return {self.term.unit_id} if self.term else set()

    term: so.Mapped[Term] = so.relationship()


class TimetableEventSlot(db.Model):
    """A period a teacher spends in an event (one row per teacher and period)."""

    __tablename__ = "timetable_event_slot"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("timetable_event.id", ondelete="CASCADE"), index=True
    )
    slot_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("period_slot.id", ondelete="CASCADE"), index=True
    )
    teacher_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )

    event: so.Mapped[TimetableEvent] = so.relationship(back_populates="event_slots")
    slot: so.Mapped[PeriodSlot] = so.relationship()
    teacher: so.Mapped[User] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("event_id", "slot_id", "teacher_id"),)


class Unavailability(db.Model):
    """A person's recurring weekly unavailability (a part-time day, a fixed duty, another
    employer): a weekday, and a time range on it or the whole day. It belongs to the person,
    in every unit and term: the periods it overlaps get no co-teaching and no meeting."""

    __tablename__ = "unavailability"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    weekday: so.Mapped[int] = so.mapped_column(sa.SmallInteger)  # ISO: 1 = Monday
    # Both empty: the whole day.
    starts_at: so.Mapped[time | None] = so.mapped_column(sa.Time)
    ends_at: so.Mapped[time | None] = so.mapped_column(sa.Time)
    reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
    created_by: so.Mapped[User | None] = so.relationship(foreign_keys=[created_by_id])

    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday_range"),
        sa.CheckConstraint(
            "(starts_at IS NULL AND ends_at IS NULL)"
            " OR (starts_at IS NOT NULL AND ends_at IS NOT NULL AND ends_at > starts_at)",
            name="whole_day_or_range",
        ),
    )

    @property
    def owner_id(self) -> int:
        return self.user_id

    @property
    def whole_day(self) -> bool:
        return self.starts_at is None

    def covers(self, slot: PeriodSlot) -> bool:
        """Whether the period falls (even partly) in this unavailability."""
        if slot.day != self.weekday:
            return False
        if self.whole_day:
            return True
        return slot.starts_at < self.ends_at and self.starts_at < slot.ends_at
