"""Strategy-dashboard data for a city-sized benchmark database, inserted in bulk.

    from bench.strategy_load import PAGES, populate_strategy
    populate_strategy(db.session, unit_ids, user_ids, years=2, seed=0)   # the caller commits

For the given units and staff (each person's unit is read from `unit_membership`; people
without one are left out) it adds, per unit, a current term with a period grid, subjects and
pupil groups (a third with group-specific support), eight weekly lessons per teacher (some
with a combined group), published co-teaching for about half of the teachers (a few
assignments accepted but not yet published), teams of four to eight with a published weekly
meeting for most, and `years` of nightly snapshots of every indicator per unit and for the
city. Rows go in with executemany (`insert()` of lists of dicts), never one ORM object at a
time. `PAGES` lists the dashboard pages to measure: (name, path, role).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

CHUNK = 5000
TEACHING = {
    "class_teacher",
    "subject_teacher",
    "special_needs_teacher",
    "special_class_teacher",
    "guidance_counsellor",
    "principal",
    "vice_principal",
    "ecec_teacher",
    "special_ecec_teacher",
}
TWO_YEARS_AGO = (date.today() - timedelta(days=729)).isoformat()

PAGES = [
    ("city indicators", "/strategy/", "hr"),
    ("city indicators, 2-year trend", f"/strategy/?from={TWO_YEARS_AGO}", "hr"),
    ("units compared", "/strategy/units", "hr"),
    ("indicator detail", "/strategy/indicators/coteaching_teachers", "hr"),
    ("unit indicators (principal)", "/strategy/", "principal"),
]


def _ids(items) -> list[int]:
    return [getattr(i, "id", i) for i in items]


def _insert(session, table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(table.insert(), rows[start : start + CHUNK])


class _Ids:
    """Explicit primary keys after the largest one in use (so rows can refer to each other
    without a round trip per row)."""

    def __init__(self, session, *tables) -> None:
        self.next = {
            t.name: (session.scalar(sa.select(sa.func.max(t.c.id))) or 0) + 1 for t in tables
        }

    def take(self, table) -> int:
        value = self.next[table.name]
        self.next[table.name] += 1
        return value


def populate_strategy(session, units, users, *, years: int = 2, seed: int = 0) -> dict[str, int]:
    """Bulk-insert co-teaching, teams and `years` of snapshots; returns row counts."""
    from pdservice.core.models import SchoolYear, UnitMembership, User
    from pdservice.core.services import school_year_bounds
    from pdservice.coteaching.models import CoTeachingAssignment
    from pdservice.strategy.models import IndicatorSnapshot
    from pdservice.teams.models import Team, TeamMeeting, TeamMember
    from pdservice.timetable.models import (
        Group,
        Lesson,
        PeriodSlot,
        Subject,
        Term,
        lesson_extra_group,
    )

    rng = random.Random(f"strategy-bench:{seed}")
    unit_ids, user_ids = _ids(units), set(_ids(users))
    now = datetime.now(UTC).replace(microsecond=0)
    today = date.today()
    staff: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for unit_id, user_id, profession in session.execute(
        sa.select(UnitMembership.unit_id, UnitMembership.user_id, User.profession)
        .join(User, User.id == UnitMembership.user_id)
        .where(UnitMembership.unit_id.in_(unit_ids), User.active.is_(True))
        .order_by(UnitMembership.unit_id, UnitMembership.user_id)
    ):
        if user_id in user_ids:
            staff[unit_id].append((user_id, str(profession)))

    starts_on, ends_on = school_year_bounds(today)
    year_id = session.scalar(sa.select(SchoolYear.id).where(SchoolYear.starts_on == starts_on))
    if year_id is None:
        year_id = session.execute(
            SchoolYear.__table__.insert().values(
                name=f"{starts_on.year}–{ends_on.year}", starts_on=starts_on, ends_on=ends_on
            )
        ).inserted_primary_key[0]

    tables = [
        Term.__table__,
        PeriodSlot.__table__,
        Subject.__table__,
        Group.__table__,
        Lesson.__table__,
        CoTeachingAssignment.__table__,
        Team.__table__,
        TeamMeeting.__table__,
    ]
    ids = _Ids(session, *tables)
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    extra_groups: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    for unit_id in unit_ids:
        people = staff.get(unit_id, [])
        teachers = [u for u, p in people if p in TEACHING]
        term_id = ids.take(Term.__table__)
        rows["term"].append(
            {
                "id": term_id,
                "unit_id": unit_id,
                "school_year_id": year_id,
                "name": f"Bench {today.year}",
                "starts_on": today - timedelta(days=60),
                "ends_on": today + timedelta(days=120),
                "timetable_version": 1,
                "source": "demo",
                "import_info": {},
                "created_at": now,
            }
        )
        slot_ids = []
        for day in range(1, 6):
            for index in range(1, 7):
                slot_id = ids.take(PeriodSlot.__table__)
                slot_ids.append(slot_id)
                rows["period_slot"].append(
                    {
                        "id": slot_id,
                        "term_id": term_id,
                        "day": day,
                        "index": index,
                        "starts_at": time(7 + index),
                        "ends_at": time(7 + index, 45),
                    }
                )
        subject_ids = []
        for code in ("MA", "AI", "EN", "YM", "LI"):
            subject_ids.append(ids.take(Subject.__table__))
            rows["subject"].append(
                {"id": subject_ids[-1], "term_id": term_id, "code": code, "name": code}
            )
        group_ids, supported = [], set()
        for g in range(max(2, len(teachers) // 2)):
            group_id = ids.take(Group.__table__)
            group_ids.append(group_id)
            support = rng.random() < 0.33
            if support:
                supported.add(group_id)
            rows["pupil_group"].append(
                {
                    "id": group_id,
                    "term_id": term_id,
                    "code": f"G{g}",
                    "grade": 1 + g % 9,
                    "language": "fi",
                    "size": 20,
                    "group_support": support,
                    "pupil_support": rng.randint(0, 4),
                }
            )
        lessons_of: dict[int, list[int]] = defaultdict(list)
        for teacher in teachers:
            for n in range(8):
                lesson_id = ids.take(Lesson.__table__)
                group_id = rng.choice(group_ids)
                lessons_of[teacher].append(lesson_id)
                rows["lesson"].append(
                    {
                        "id": lesson_id,
                        "term_id": term_id,
                        "code": f"L{teacher}-{n}",
                        "group_id": group_id,
                        "subject_id": rng.choice(subject_ids),
                        "teacher_id": teacher,
                        "room": None,
                    }
                )
                if rng.random() < 0.05:
                    other = rng.choice(group_ids)
                    if other != group_id:
                        extra_groups.append({"lesson_id": lesson_id, "group_id": other})
        shuffled = teachers[:]
        rng.shuffle(shuffled)
        pairs = shuffled[: int(len(shuffled) * rng.uniform(0.4, 0.6)) // 2 * 2]
        for host, joiner in zip(pairs[::2], pairs[1::2], strict=True):
            for lesson_id in rng.sample(lessons_of[host], rng.randint(1, 3)):
                published = rng.random() < 0.9
                rows["coteaching_assignment"].append(
                    {
                        "id": ids.take(CoTeachingAssignment.__table__),
                        "term_id": term_id,
                        "lesson_id": lesson_id,
                        "coteacher_id": joiner,
                        "state": "accepted",
                        "pinned": False,
                        "published": published,
                        "decided_at": now,
                        "published_at": now if published else None,
                    }
                )
        everyone = [u for u, _p in people]
        for t in range(min(8, max(1, len(everyone) // 6))):
            team_id = ids.take(Team.__table__)
            rows["team"].append(
                {
                    "id": team_id,
                    "unit_id": unit_id,
                    "name": f"Team {t}",
                    "kind": rng.choice(["grade_level", "subject", "student_welfare", "other"]),
                    "meeting_slots": 1,
                    "needs_meeting": True,
                    "created_at": now,
                }
            )
            for user_id in rng.sample(everyone, min(len(everyone), rng.randint(4, 8))):
                members.append({"team_id": team_id, "user_id": user_id})
            if rng.random() < 0.75:
                slot = rng.choice(slot_ids)
                rows["team_meeting"].append(
                    {
                        "id": ids.take(TeamMeeting.__table__),
                        "team_id": team_id,
                        "term_id": term_id,
                        "start_slot_id": slot,
                        "length": 1,
                        "published_slot_id": slot,
                        "published_length": 1,
                        "published_at": now,
                        "source": "manual",
                        "decided_at": now,
                    }
                )
    for table in tables:
        _insert(session, table, rows[table.name])
    _insert(session, lesson_extra_group, extra_groups)
    _insert(session, TeamMember.__table__, members)

    snapshots = _snapshots(rng, unit_ids, staff, years, today)
    _insert(session, IndicatorSnapshot.__table__, snapshots)
    if session.get_bind().dialect.name == "postgresql":
        for table in tables:
            session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT max(id) FROM {table.name}))"
                )
            )
    counts = {name: len(r) for name, r in rows.items()}
    counts.update(team_member=len(members), indicator_snapshot=len(snapshots))
    return counts


def _snapshots(rng, unit_ids, staff, years: int, today: date) -> list[dict[str, Any]]:
    """Nightly snapshots of every indicator, per unit and for the city, rising over the
    years with steps at the term starts."""
    from pdservice.strategy.indicators import INDICATORS

    days = years * 365
    stamp = datetime.now(UTC).replace(microsecond=0)
    rows: list[dict[str, Any]] = []
    base = {}
    for unit_id in unit_ids:
        teachers = sum(1 for _u, p in staff.get(unit_id, []) if p in TEACHING) or 1
        base[unit_id] = (teachers, rng.uniform(0.3, 0.5), rng.uniform(0.45, 0.6))
    for offset in range(days):
        day = today - timedelta(days=days - 1 - offset)
        # The share of today's level: one step a term (two a year).
        progress = (offset // 182 + 1) / (days // 182 + 1)
        for indicator in INDICATORS:
            nums = dens = 0.0
            for unit_id in unit_ids:
                teachers, start, final = base[unit_id]
                share = start + (final - start) * progress
                num, den = {
                    "coteaching_teachers": (round(teachers * share), teachers),
                    "cotaught_lessons": (round(teachers * share * 2), teachers),
                    "cotaught_lessons_per_teacher": (round(teachers * share * 2), teachers),
                    "support_groups_coteaching": (
                        round(teachers / 6 * share * 1.5),
                        teachers // 6 or 1,
                    ),
                    "teams_with_meeting": (round(8 * (0.6 + 0.15 * progress)), 8),
                    "multiprofessional_staff": (
                        round(teachers * 0.8 * (0.7 + 0.2 * progress)),
                        teachers,
                    ),
                }[indicator.code]
                num = min(num, den) if indicator.measure == "percent" else num
                figure = indicator.figure(num, den)
                rows.append(_row(indicator.code, unit_id, day, figure, stamp))
                nums, dens = nums + num, dens + den
            rows.append(_row(indicator.code, None, day, indicator.figure(nums, dens), stamp))
    return rows


def _row(code, unit_id, day, figure, stamp) -> dict[str, Any]:
    return {
        "indicator": code,
        "unit_id": unit_id,
        "taken_on": day,
        "value": figure.value if figure.value is not None else 0.0,
        "numerator": figure.numerator,
        "denominator": figure.denominator,
        "source": "nightly",
        "recorded_at": stamp,
    }
