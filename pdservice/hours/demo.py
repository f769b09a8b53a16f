"""The demo's external training: some approved (their hours counted), some waiting for the
principal, one rejected."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from pdservice.clock import today
from pdservice.core.enums import UnitRole
from pdservice.core.models import CompetenceArea, UnitMembership, User
from pdservice.core.services import school_year_for
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.hours.enums import ExternalStatus, HoursKind
from pdservice.hours.models import DevelopmentHours, ExternalTraining

ENTRIES = [
    ("Erityispedagogiikan perusopinnot, 1. jakso", "Jyväskylän yliopisto", 40, ("INCL",)),
    ("Educa-messut: seminaarit", "Educa", 6, ("DIGI", "ASSESS")),
    ("Matematiikan opettajien päivät", "MAOL ry", 12, ("L1",)),
    ("Webinaari: kiusaamisen ehkäisy verkossa", "Mannerheimin Lastensuojeluliitto", 2, ("SEL",)),
    ("Yhteisopettajuuden verkosto-iltapäivä", "Espoon kaupunki", 3, ("COTEACH",)),
    ("Kielitietoisuus koulussa, MOOC", "Helsingin yliopisto", 20, ("L4", "L2")),
    ("Ensiaputaidot EA1", "Suomen Punainen Risti", 16, ("L3",)),
    ("Pedagogisen johtamisen seminaari", "Suomen Rehtorit ry", 8, ("PARLEAD",)),
    ("Tunnetaitokoulutus varhaiskasvatukseen ja alakouluun", "Folkhälsan", 6, ("SEL", "L3")),
    ("Ohjelmointi opetuksessa, verkkokurssi", "Mooc.fi", 25, ("L5", "DIGI")),
]


def seed(ctx) -> None:
    if db.session.scalar(sa.select(sa.func.count(ExternalTraining.id))):
        return
    rng = ctx.rng("hours")
    areas = {a.code: a for a in db.session.scalars(sa.select(CompetenceArea))}
    teachers = {a.email for a in ctx.accounts if a.role == "teacher"}
    rows = db.session.execute(
        sa.select(User, UnitMembership.unit_id)
        .join(UnitMembership, UnitMembership.user_id == User.id)
        .where(UnitMembership.role == UnitRole.TEACHER, User.active.is_(True))
        .order_by(User.id)
    ).all()
    principals = dict(
        db.session.execute(
            sa.select(UnitMembership.unit_id, UnitMembership.user_id).where(
                UnitMembership.role == UnitRole.PRINCIPAL
            )
        ).all()
    )
    demo = [(u, unit) for u, unit in rows if u.email in teachers]
    others = [(u, unit) for u, unit in rows if u.email not in teachers]
    people = demo + rng.sample(others, len(ENTRIES) - len(demo))
    now = utcnow()
    for n, ((title, provider, hours, codes), (user, unit_id)) in enumerate(
        zip(ENTRIES, people, strict=False)
    ):
        occurred_on = today() - timedelta(days=rng.randint(5, 100))
        status = [ExternalStatus.PENDING, ExternalStatus.APPROVED][n % 2 == 1 or n >= 8]
        if n == 7:
            status = ExternalStatus.REJECTED
        entry = ExternalTraining(
            user_id=user.id,
            title=title,
            provider=provider,
            occurred_on=occurred_on,
            hours=Decimal(hours),
            note="Todistus liitteenä sähköpostissa." if n % 3 == 0 else "",
            status=status,
        )
        entry.areas = [areas[c] for c in codes]
        if status != ExternalStatus.PENDING:
            entry.decided_by_id = principals.get(unit_id)
            entry.decided_at = now - timedelta(days=2)
            entry.decision_comment = (
                "Ei liity tämän vuoden kehittämissuunnitelmaan." if status == "rejected" else ""
            )
        db.session.add(entry)
        db.session.flush()
        if status == ExternalStatus.APPROVED:
            year = school_year_for(occurred_on)
            row = DevelopmentHours(
                user_id=user.id,
                school_year_id=year.id,
                occurred_on=occurred_on,
                hours=Decimal(hours),
                kind=HoursKind.EXTERNAL,
                source_type="external_training",
                source_id=entry.id,
                title=f"{title} ({provider})",
                approved_by_id=entry.decided_by_id,
            )
            row.areas = list(entry.areas)
            db.session.add(row)
    db.session.flush()
