"""`flask strategy backfill`: recompute past snapshots from the audit history where it can.

What the audit history holds, and so what can be recomputed:

- `coteaching.published` (entity Term) records, at each publish, how many co-taught lessons
  and team meetings the unit's published timetable has for the term: so *co-taught lessons a
  week* is known for every day after a publish (0 before the first), and *teams with a weekly
  meeting* too, unless a meeting was set or cleared with "find a slot", or a team deleted,
  after the last publish (the log does not say whether that team had a meeting before).
- `team.created` / `team.updated` / `team.deleted` (entity Team) record each team's members:
  so *staff in a multiprofessional team* is known while every team of the unit has a history
  from its creation. A team without one (created by an import or the demo seed) leaves its unit
  unknown. Members' professions are taken as they are now (the log of a profession change does
  not say which teams it touched).
- Nothing records who taught which co-taught lesson, which groups they were for, or who worked
  in a unit on a past day: the shares (teachers who co-teach, groups with support that are
  co-taught) and the per-teacher figure cannot be recomputed.

A day recorded by the nightly job is never replaced unless `overwrite` is given.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from pdservice.clock import HELSINKI
from pdservice.core.models import AuditLog, User
from pdservice.extensions import db
from pdservice.strategy.indicators import BY_CODE, INDICATORS, active_units
from pdservice.strategy.models import IndicatorSnapshot
from pdservice.strategy.services import nightly_days
from pdservice.teams.models import Team
from pdservice.timetable.models import Term

BACKFILLED = ("cotaught_lessons", "teams_with_meeting", "multiprofessional_staff")
MEETING_ACTIONS = ("team_meeting.set", "team_meeting.cleared", "team.deleted")


@dataclass
class IndicatorReport:
    written: int = 0
    unknown: Counter = field(default_factory=Counter)  # reason -> unit-days


@dataclass
class BackfillReport:
    days: int = 0
    skipped_nightly: list[date] = field(default_factory=list)
    by_indicator: dict[str, IndicatorReport] = field(
        default_factory=lambda: {code: IndicatorReport() for code in BACKFILLED}
    )

    def lines(self) -> list[str]:
        out = []
        for indicator in INDICATORS:
            if indicator.no_backfill is not None:
                out.append(
                    _(
                        "%(code)s: cannot be recomputed. %(why)s",
                        code=indicator.code,
                        why=indicator.no_backfill,
                    )
                )
                continue
            report = self.by_indicator[indicator.code]
            out.append(
                _("%(code)s: %(n)d snapshots written.", code=indicator.code, n=report.written)
            )
            for reason, count in sorted(report.unknown.items()):
                out.append("  " + _("%(n)d unit-days unknown: %(why)s", n=count, why=reason))
        if self.skipped_nightly:
            out.append(
                _(
                    "%(n)d days left alone because the nightly job recorded them (use --overwrite "
                    "to replace them): %(first)s … %(last)s.",
                    n=len(self.skipped_nightly),
                    first=self.skipped_nightly[0],
                    last=self.skipped_nightly[-1],
                )
            )
        return out


def _day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), HELSINKI)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=HELSINKI)


class History:
    """The audit history read once, answering "what was true at the end of day d"."""

    def __init__(self, until: datetime) -> None:
        self.terms: dict[int, list[Term]] = defaultdict(list)
        for term in db.session.scalars(sa.select(Term).order_by(Term.starts_on, Term.id)):
            self.terms[term.unit_id].append(term)
        rows = db.session.scalars(
            sa.select(AuditLog)
            .where(
                AuditLog.at < until,
                AuditLog.action.in_(
                    [
                        "coteaching.published",
                        "team_meeting.set",
                        "team_meeting.cleared",
                        "team.created",
                        "team.updated",
                        "team.deleted",
                    ]
                ),
            )
            .order_by(AuditLog.at, AuditLog.id)
        ).all()
        self.publishes: dict[int, list[tuple[datetime, dict]]] = defaultdict(list)  # by term
        self.meeting_changes: dict[int, list[tuple[datetime, str | None]]] = defaultdict(list)
        self.team_events: dict[int, list[tuple[datetime, str, dict]]] = defaultdict(list)
        self.team_unit: dict[int, int] = {}
        for row in rows:
            at = _aware(row.at)
            if row.action == "coteaching.published" and row.entity_id:
                self.publishes[int(row.entity_id)].append((at, row.changes or {}))
            if row.action in MEETING_ACTIONS and row.unit_id is not None:
                term_name = (row.changes or {}).get("term")
                self.meeting_changes[row.unit_id].append((at, term_name))
            if row.action.startswith("team.") and row.entity_id and row.entity_type == "Team":
                self.team_events[int(row.entity_id)].append((at, row.action, row.changes or {}))
                if row.unit_id is not None:
                    self.team_unit[int(row.entity_id)] = row.unit_id
        for team_id, unit_id in db.session.execute(sa.select(Team.id, Team.unit_id)):
            self.team_unit[team_id] = unit_id
            self.team_events.setdefault(team_id, [])
        self.professions = {
            uid: str(p)
            for uid, p in db.session.execute(
                sa.select(User.id, User.profession).where(User.active.is_(True))
            )
        }

    def term_on(self, unit_id: int, day: date) -> Term | None:
        started = [t for t in self.terms.get(unit_id, []) if t.starts_on <= day]
        inside = [t for t in started if day <= t.ends_on]
        return (inside or started or [None])[-1]

    def last_publish(self, term: Term, end: datetime) -> tuple[datetime, dict] | None:
        return next((p for p in reversed(self.publishes.get(term.id, [])) if p[0] < end), None)

    def cotaught_lessons(self, unit_id: int, day: date) -> tuple[float | None, str | None]:
        term = self.term_on(unit_id, day)
        if term is None:
            return 0, None
        last = self.last_publish(term, _day_end(day))
        return (float(last[1].get("lessons", 0)) if last else 0.0), None

    def teams_with_meeting(self, unit_id: int, day: date) -> tuple[float | None, str | None]:
        term = self.term_on(unit_id, day)
        if term is None:
            return 0, None
        end = _day_end(day)
        last = self.last_publish(term, end)
        since = last[0] if last else datetime.min.replace(tzinfo=HELSINKI)
        for at, term_name in self.meeting_changes.get(unit_id, []):
            if since < at < end and (term_name is None or term_name == term.name):
                return None, _(
                    "a team meeting was set or cleared with “find a slot”, or a team deleted, "
                    "after the last publish; the log does not say whether the team had a "
                    "meeting before."
                )
        return (float(last[1].get("meetings", 0)) if last else 0.0), None

    def team_members(self, team_id: int, end: datetime) -> tuple[bool, list[int] | None]:
        """(known, members at `end`; None when the team did not exist)."""
        events = self.team_events.get(team_id, [])
        members: list[int] | None = None
        known = bool(events) and events[0][1] == "team.created"
        if not known:
            # Without its creation, the team's members are known only after a recorded change.
            first = next((e for e in events if "members" in e[2]), None)
            if first is None or first[0] >= end:
                return False, None
            known = True
        for at, action, changes in events:
            if at >= end:
                break
            if action == "team.created":
                members = list(changes.get("members") or [])
            elif action == "team.updated" and "members" in changes:
                members = list(changes["members"][1] or [])
            elif action == "team.deleted":
                members = None
        return known, members

    def multiprofessional_staff(self, unit_id: int, day: date) -> tuple[float | None, str | None]:
        end = _day_end(day)
        people: set[int] = set()
        for team_id, team_unit in self.team_unit.items():
            if team_unit != unit_id:
                continue
            known, members = self.team_members(team_id, end)
            if not known:
                return None, _(
                    "a team of the unit has no recorded history from its creation (made by an "
                    "import or the demo), so its members on that day are unknown."
                )
            active = [m for m in members or [] if m in self.professions]
            if len({self.professions[m] for m in active}) >= 2:
                people.update(active)
        return float(len(people)), None


def backfill(start: date, end: date, *, overwrite: bool = False) -> BackfillReport:
    """Recompute the backfillable indicators for each day of [start, end] (the caller holds
    the write lock and commits)."""
    report = BackfillReport()
    history = History(_day_end(end))
    units = active_units()
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    protected = set() if overwrite else nightly_days(set(days))
    for day in days:
        if day in protected:
            report.skipped_nightly.append(day)
            continue
        report.days += 1
        rows: list[dict[str, Any]] = []
        for code in BACKFILLED:
            indicator = BY_CODE[code]
            compute = getattr(history, code)
            values = {}
            for unit in units:
                value, why = compute(unit.id, day)
                if value is None:
                    report.by_indicator[code].unknown[why] += 1
                else:
                    values[unit.id] = value
            written = [_row(indicator.code, u, day, v) for u, v in values.items()]
            city = len(values) == len(units)  # the city only when every unit is known
            if city:
                written.append(_row(indicator.code, None, day, sum(values.values())))
            report.by_indicator[code].written += len(written)
            # Replace what is recomputed; a unit-day that is unknown keeps what it had.
            scope = IndicatorSnapshot.unit_id.in_(list(values) or [-1])
            if city:
                scope = sa.or_(scope, IndicatorSnapshot.unit_id.is_(None))
            db.session.execute(
                sa.delete(IndicatorSnapshot).where(
                    IndicatorSnapshot.taken_on == day, IndicatorSnapshot.indicator == code, scope
                )
            )
            rows += written
        if rows:
            db.session.execute(sa.insert(IndicatorSnapshot), rows)
    db.session.flush()
    return report


def _row(code: str, unit_id: int | None, day: date, value: float) -> dict[str, Any]:
    return {
        "indicator": code,
        "unit_id": unit_id,
        "taken_on": day,
        "value": value,
        "numerator": value,
        "denominator": None,
        "source": "backfill",
    }
