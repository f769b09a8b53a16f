"""The development-hours ledger: one function credits hours, idempotently per source.

    record_hours(user_id, hours=Decimal("6"), kind=HoursKind.TRAINING,
                 source_type="enrollment", source_id=42, occurred_on=date(2026, 10, 3),
                 areas=[digi_area_id], title="Digiloikka")

Other features call `record_hours` (co-teaching logs joint planning time with
kind=HoursKind.COTEACHING_PLANNING) and `remove_hours` when a source no longer counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from pdservice.core.models import CompetenceArea, SchoolYear, User
from pdservice.core.services import audit, school_year_for
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.hours.enums import ExternalStatus, HoursKind
from pdservice.hours.models import MAX_LEDGER_HOURS, DevelopmentHours, ExternalTraining

VESO_DAYS_PER_YEAR = 3


class HoursError(ValueError):
    """Hours that cannot be credited (negative, absurd)."""


def _area_objects(areas: Iterable[int | CompetenceArea]) -> list[CompetenceArea]:
    ids = sorted({a.id if isinstance(a, CompetenceArea) else int(a) for a in areas})
    if not ids:
        return []
    return list(db.session.scalars(sa.select(CompetenceArea).where(CompetenceArea.id.in_(ids))))


def record_hours(
    user_id: int,
    *,
    hours: Decimal | int | float | str,
    kind: HoursKind | str,
    source_type: str,
    source_id: int,
    occurred_on: date,
    areas: Iterable[int | CompetenceArea] = (),
    title: str = "",
    approved_by_id: int | None = None,
) -> DevelopmentHours:
    """Credit `hours` to a person, once per (source_type, source_id) and person.

    Calling it again for the same source changes nothing when the values are the same, and
    corrects the row when they differ (an attendance corrected from "attended" to "partly
    attended", say): a source is counted exactly once, with its latest figures. The school
    year is the one `occurred_on` falls in. Flushes; the caller commits.
    """
    amount = Decimal(str(hours)).quantize(Decimal("0.01"))
    if amount < 0 or amount > MAX_LEDGER_HOURS:
        raise HoursError(f"hours must be between 0 and {MAX_LEDGER_HOURS}, got {amount}")
    kind = HoursKind(kind)
    year = school_year_for(occurred_on)
    assert year is not None
    area_objects = _area_objects(areas)
    values = {
        "user_id": user_id,
        "school_year_id": year.id,
        "occurred_on": occurred_on,
        "hours": amount,
        "kind": kind,
        "title": title[:300],
        "approved_by_id": approved_by_id,
    }
    row = _find(source_type, source_id, user_id)
    if row is None:
        row = DevelopmentHours(source_type=source_type, source_id=source_id, **values)
        row.areas = area_objects
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            # Someone credited the same source at the same moment: theirs stands.
            row = _find(source_type, source_id, user_id)
            assert row is not None
        else:
            audit(
                "hours.credited",
                row,
                changes={"user_id": user_id, "hours": amount, "kind": kind, "source": source_type},
            )
            return row
    changes = {k: [getattr(row, k), v] for k, v in values.items() if getattr(row, k) != v}
    if {a.id for a in row.areas} != {a.id for a in area_objects}:
        row.areas = area_objects
        changes["areas"] = [a.code for a in area_objects]
    if changes:
        for key, value in values.items():
            setattr(row, key, value)
        db.session.flush()
        audit("hours.corrected", row, changes=changes)
    return row


def remove_hours(source_type: str, source_id: int) -> bool:
    """Take back the credits of a source, for everyone it credited (e.g. attendance corrected
    to "did not attend", or a joint planning record deleted)."""
    rows = db.session.scalars(
        sa.select(DevelopmentHours).where(
            DevelopmentHours.source_type == source_type, DevelopmentHours.source_id == source_id
        )
    ).all()
    for row in rows:
        audit("hours.removed", row, changes={"user_id": row.user_id, "hours": row.hours})
        db.session.delete(row)
    db.session.flush()
    return bool(rows)


def _find(source_type: str, source_id: int, user_id: int) -> DevelopmentHours | None:
    return db.session.scalar(
        sa.select(DevelopmentHours).where(
            DevelopmentHours.source_type == source_type,
            DevelopmentHours.source_id == source_id,
            DevelopmentHours.user_id == user_id,
        )
    )


# --- external training ------------------------------------------------------------------


def record_external_training(
    user: User,
    *,
    title: str,
    provider: str,
    occurred_on: date,
    hours: Decimal,
    note: str = "",
    areas: Iterable[int] = (),
) -> ExternalTraining:
    from pdservice.hours.forms import MAX_EXTERNAL_HOURS

    if hours <= 0 or hours > MAX_EXTERNAL_HOURS:
        raise HoursError(f"hours must be more than 0 and at most {MAX_EXTERNAL_HOURS}")
    entry = ExternalTraining(
        user_id=user.id,
        title=title.strip(),
        provider=provider.strip(),
        occurred_on=occurred_on,
        hours=hours,
        note=note.strip(),
        status=ExternalStatus.PENDING,
    )
    entry.areas = _area_objects(areas)
    db.session.add(entry)
    db.session.flush()
    audit("external_training.recorded", entry, changes={"hours": hours, "title": entry.title})
    return entry


EXTERNAL_SOURCE = "external_training"


EXTERNAL_DECIDED = "hours.external_decided"


def register_kinds() -> None:
    from flask_babel import lazy_gettext as _l

    from pdservice.notifications.services import register_notification_kind

    register_notification_kind(
        EXTERNAL_DECIDED, _l("Decision on external training I recorded"), optional=True
    )


def decide_external_training(
    entry: ExternalTraining, *, approve: bool, actor: User, comment: str = ""
) -> ExternalTraining:
    """Approve (the hours count from now on) or reject a pending external training."""
    from pdservice.notifications.services import notify, public_url

    if entry.status != ExternalStatus.PENDING:
        raise HoursError("already decided")
    if entry.user_id == actor.id:
        raise HoursError("own entry")
    entry.status = ExternalStatus.APPROVED if approve else ExternalStatus.REJECTED
    entry.decided_by_id = actor.id
    entry.decided_at = utcnow()
    entry.decision_comment = comment.strip()
    if approve:
        record_hours(
            entry.user_id,
            hours=entry.hours,
            kind=HoursKind.EXTERNAL,
            source_type=EXTERNAL_SOURCE,
            source_id=entry.id,
            occurred_on=entry.occurred_on,
            areas=entry.areas,
            title=f"{entry.title} ({entry.provider})",
            approved_by_id=actor.id,
        )
    audit(
        "external_training.approved" if approve else "external_training.rejected",
        entry,
        changes={"comment": entry.decision_comment},
    )
    db.session.flush()
    notify(
        entry.user,
        EXTERNAL_DECIDED,
        "external_decided",
        {
            "entry": entry,
            "approved": approve,
            "comment": entry.decision_comment,
            "hours_url": public_url("hours.my_transcript"),
        },
        optional=True,
        dedupe_key=f"{EXTERNAL_DECIDED}:{entry.id}",
    )
    return entry


# --- transcripts ------------------------------------------------------------------------


def counted_hours(
    year_id: int, *, date_from: date | None = None, date_to: date | None = None
) -> list:
    """What counts as a person's development hours in a school year, as WHERE conditions on
    the ledger: every row of the year (the ledger holds only what counts: attended training,
    VESO, co-teaching planning, and external training once approved), optionally between two
    days. The transcripts and the HR reports both count with it."""
    conditions = [DevelopmentHours.school_year_id == year_id]
    if date_from is not None:
        conditions.append(DevelopmentHours.occurred_on >= date_from)
    if date_to is not None:
        conditions.append(DevelopmentHours.occurred_on <= date_to)
    return conditions


def veso_hours_per_year() -> Decimal:
    return VESO_DAYS_PER_YEAR * Decimal(str(current_app.config["VESO_HOURS_PER_DAY"]))


@dataclass
class Transcript:
    user: User
    year: SchoolYear
    rows: list[DevelopmentHours]
    total: Decimal = Decimal(0)
    by_kind: dict[HoursKind, Decimal] = field(default_factory=dict)
    by_area: list[tuple[CompetenceArea, Decimal]] = field(default_factory=list)
    unassigned: Decimal = Decimal(0)
    veso_target: Decimal = Decimal(0)

    @property
    def veso_hours(self) -> Decimal:
        return self.by_kind.get(HoursKind.VESO, Decimal(0))

    @property
    def veso_percent(self) -> int:
        if not self.veso_target:
            return 0
        return min(100, int(self.veso_hours * 100 / self.veso_target))

    @property
    def veso_missing(self) -> Decimal:
        return max(Decimal(0), self.veso_target - self.veso_hours)


def transcript(user: User, year: SchoolYear) -> Transcript:
    """A person's hours in a school year: every row, totals by kind and by area."""
    rows = list(
        db.session.scalars(
            sa.select(DevelopmentHours)
            .where(DevelopmentHours.user_id == user.id, *counted_hours(year.id))
            .order_by(DevelopmentHours.occurred_on, DevelopmentHours.id)
            .options(sa.orm.selectinload(DevelopmentHours.areas))
        )
    )
    result = Transcript(user=user, year=year, rows=rows, veso_target=veso_hours_per_year())
    per_area: dict[int, Decimal] = {}
    areas: dict[int, CompetenceArea] = {}
    for row in rows:
        result.total += row.hours
        result.by_kind[row.kind] = result.by_kind.get(row.kind, Decimal(0)) + row.hours
        if not row.areas:
            result.unassigned += row.hours
        for area in row.areas:
            areas[area.id] = area
            per_area[area.id] = per_area.get(area.id, Decimal(0)) + row.hours
    result.by_area = sorted(
        ((areas[i], h) for i, h in per_area.items()), key=lambda pair: pair[0].sort_order
    )
    return result


def pending_external(user: User) -> list[ExternalTraining]:
    """External training waiting for `user`'s decision: from staff of the units they lead
    (HR and admins: all), never their own."""
    from pdservice.core.models import UnitMembership

    query = (
        sa.select(ExternalTraining)
        .where(
            ExternalTraining.status == ExternalStatus.PENDING, ExternalTraining.user_id != user.id
        )
        .order_by(ExternalTraining.created_at)
        .options(sa.orm.joinedload(ExternalTraining.user))
    )
    if not (user.is_hr or user.is_admin):
        query = query.where(
            ExternalTraining.user_id.in_(
                sa.select(UnitMembership.user_id).where(
                    UnitMembership.unit_id.in_(user.principal_unit_ids or {-1})
                )
            )
        )
    return list(db.session.scalars(query))
