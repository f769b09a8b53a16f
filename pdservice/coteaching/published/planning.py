"""Joint planning time of co-teaching pairs, and its place in the development-hours ledger.

A pair of the term's published co-teaching logs the hours they planned together; each of the
two is credited those hours in the ledger with the kind `coteaching_planning`.

`credit_ledger(entry)` is called for every new entry and `debit_ledger(entry)` before one is
deleted; `planning_hours_for_ledger(entry)` says what to record for whom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import force_locale
from flask_babel import gettext as _

from pdservice.clock import today
from pdservice.core.models import CompetenceArea, User
from pdservice.core.services import audit
from pdservice.coteaching.models import PlanningEntry
from pdservice.extensions import db
from pdservice.hours.services import record_hours, remove_hours
from pdservice.timetable.models import Term

LEDGER_KIND = "coteaching_planning"
LEDGER_SOURCE_TYPE = "coteaching_planning_entry"
LEDGER_AREA_CODE = "COTEACH"
MIN_HOURS = Decimal("0.25")
MAX_HOURS = Decimal("12")


@dataclass(frozen=True)
class LedgerCredit:
    """What the ledger records for one person: `record_hours(user_id, hours=..., kind=...,
    source_type=..., source_id=..., occurred_on=..., note=...)`."""

    user_id: int
    hours: Decimal
    kind: str
    source_type: str
    source_id: int
    occurred_on: date
    note: str


class PlanningError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def planning_hours_for_ledger(entry: PlanningEntry) -> list[LedgerCredit]:
    """The ledger credits of one planning entry: the same hours for each of the pair, with a
    note in each person's language."""
    credits = []
    for user in (entry.teacher_low, entry.teacher_high):
        with force_locale(str(user.preferred_language)):
            note = _("Joint co-teaching planning") + (f": {entry.note}" if entry.note else "")
        credits.append(
            LedgerCredit(
                user_id=user.id,
                hours=Decimal(entry.hours),
                kind=LEDGER_KIND,
                source_type=LEDGER_SOURCE_TYPE,
                source_id=entry.id,
                occurred_on=entry.occurred_on,
                note=note[:500],
            )
        )
    return credits


def credit_ledger(entry: PlanningEntry) -> None:
    """Credit a new entry's hours to each of the pair in the development-hours ledger, under
    the co-teaching competence area."""
    coteaching_area = db.session.scalar(
        sa.select(CompetenceArea).where(CompetenceArea.code == LEDGER_AREA_CODE)
    )
    for credit in planning_hours_for_ledger(entry):
        record_hours(
            credit.user_id,
            hours=credit.hours,
            kind=credit.kind,
            source_type=credit.source_type,
            source_id=credit.source_id,
            occurred_on=credit.occurred_on,
            areas=[coteaching_area] if coteaching_area is not None else [],
            title=credit.note,
        )


def debit_ledger(entry: PlanningEntry) -> None:
    """Take a deleted entry's hours back out of the ledger, for both of the pair."""
    remove_hours(LEDGER_SOURCE_TYPE, entry.id)


def partners_of(term: Term, user: User) -> list[User]:
    """The people `user` co-teaches with in the term's published co-teaching."""
    from pdservice.coteaching.services import published_pairs

    ids = {a if b == user.id else b for a, b in published_pairs(term.id) if user.id in (a, b)}
    if not ids:
        return []
    return list(db.session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.name)))


def log_planning(
    term: Term,
    user: User,
    partner: User,
    occurred_on: date,
    hours: Decimal,
    note: str | None,
) -> PlanningEntry:
    """Log joint planning of `user` and `partner` (a published pair of the term)."""
    if partner.id not in {p.id for p in partners_of(term, user)}:
        raise PlanningError(
            "partner", _("You can log planning only with a partner of the published plan.")
        )
    if not MIN_HOURS <= hours <= MAX_HOURS or (hours * 4) % 1:
        raise PlanningError(
            "hours", _("Hours are from 0.25 to 12, in quarters of an hour (e.g. 1.5).")
        )
    if not term.starts_on <= occurred_on <= term.ends_on:
        raise PlanningError("occurred_on", _("The date must be within the term."))
    if occurred_on > today():
        raise PlanningError("occurred_on", _("The date cannot be in the future."))
    low, high = sorted((user.id, partner.id))
    entry = PlanningEntry(
        term_id=term.id,
        teacher_low_id=low,
        teacher_high_id=high,
        logged_by_id=user.id,
        occurred_on=occurred_on,
        hours=hours,
        note=(note or "").strip()[:500] or None,
    )
    db.session.add(entry)
    db.session.flush()
    audit(
        "coteaching.planning_logged",
        entry,
        unit_id=term.unit_id,
        actor=user,
        changes={"pair": [low, high], "hours": hours, "occurred_on": occurred_on},
    )
    credit_ledger(entry)
    return entry


def delete_planning(entry: PlanningEntry, actor: User) -> None:
    debit_ledger(entry)
    audit(
        "coteaching.planning_deleted",
        entry,
        unit_id=entry.term.unit_id,
        actor=actor,
        changes={"hours": entry.hours, "occurred_on": entry.occurred_on},
    )
    db.session.delete(entry)
    db.session.flush()


def planning_entries(term: Term, user: User | None = None) -> list[PlanningEntry]:
    """The term's entries (those of `user`'s pairs when given), newest first."""
    query = (
        sa.select(PlanningEntry)
        .where(PlanningEntry.term_id == term.id)
        .options(
            so.joinedload(PlanningEntry.teacher_low),
            so.joinedload(PlanningEntry.teacher_high),
            so.joinedload(PlanningEntry.logged_by),
        )
        .order_by(PlanningEntry.occurred_on.desc(), PlanningEntry.id.desc())
    )
    if user is not None:
        query = query.where(
            sa.or_(
                PlanningEntry.teacher_low_id == user.id, PlanningEntry.teacher_high_id == user.id
            )
        )
    return list(db.session.scalars(query))
