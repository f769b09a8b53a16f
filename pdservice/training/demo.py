"""The demo's training: about 30 courses across the competence areas, sessions spread from
a few months back to the spring, enrolments (some sessions full with a waiting list, some
needing approval), attendance with hours credited, and feedback.

Rows are written directly (in bulk: the seed runs in the test suite too), with the same
invariants the state machine keeps: seats counted in `booked_count`, waiting lists ordered
by `waitlisted_at`, every state change in the history, hours in the ledger keyed by the
enrolment. A handful of mails about the demo accounts' pending decisions are written to the
outbox through the real notification code, so the outbox shows real mails. Idempotent:
courses are found by title, and only a course created now gets sessions and enrolments.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from pdservice.clock import HELSINKI, today
from pdservice.core.enums import Profession, UnitRole
from pdservice.core.models import CompetenceArea, UnitMembership, User
from pdservice.core.services import school_year_for
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.hours.enums import HoursKind
from pdservice.hours.models import DevelopmentHours, development_hours_area
from pdservice.training.enums import CourseFormat
from pdservice.training.enums import EnrollmentStatus as S
from pdservice.training.models import (
    Course,
    CourseAudience,
    CourseSession,
    Enrollment,
    EnrollmentEvent,
    SessionDate,
    TrainingFeedback,
)

P = Profession
F = CourseFormat
CITY = "Vantaan kaupunki, kasvatuksen ja oppimisen toimiala"
UH = "Helsingin yliopisto, koulutus- ja kehittämispalvelut"
OPH = "Opetushallitus"
NMI = "Niilo Mäki Instituutti"
KIVA = "KiVa Koulu, Turun yliopisto"
ABO = "Åbo Akademi, fortbildning"


@dataclass(frozen=True)
class DemoCourse:
    title: str
    provider: str
    format: CourseFormat
    areas: tuple[str, ...]
    hours: int
    veso: bool = False
    approval: bool = False
    cost: int = 0
    audience: tuple[Profession, ...] = ()
    sessions: int = 1
    days: int = 1
    popular: bool = False  # small capacity: full, with a waiting list
    description: str = ""
    per_unit: bool = False  # one session per unit, for all its staff, as the year starts


TEACHERS = (P.CLASS_TEACHER, P.SUBJECT_TEACHER, P.SPECIAL_NEEDS_TEACHER, P.SPECIAL_CLASS_TEACHER)
LEADERS = (P.PRINCIPAL, P.VICE_PRINCIPAL)
WELFARE = (P.PSYCHOLOGIST, P.SCHOOL_SOCIAL_WORKER, P.NURSE, P.SPECIAL_NEEDS_TEACHER)

COURSES = [
    DemoCourse(
        "Lukuvuoden avaus: veso-päivä",
        CITY,
        F.ONSITE,
        ("COTEACH", "INCL", "MULTI"),
        6,
        veso=True,
        per_unit=True,
        description="Koko henkilöstön veso-päivä ennen oppilaiden koulupäivien alkua: "
        "lukuvuoden painopisteet, yhteisopettajuuden parit ja tiimien aikataulut.",
    ),
    DemoCourse(
        "Digiloikka: tieto- ja viestintäteknologia opetuksessa",
        CITY,
        F.ONSITE,
        ("DIGI", "L5"),
        6,
        veso=True,
        sessions=2,
        popular=True,
        description=(
            "Käytännön työpaja digitaalisista työkaluista "
            "oppitunnilla: suunnittelu, toteutus ja arviointi."
        ),
    ),
    DemoCourse(
        "Oppimisalustat tehokäyttöön",
        CITY,
        F.ONLINE,
        ("DIGI", "L5"),
        3,
        sessions=2,
        description="Teams ja Classroom opettajan arjessa: tehtävät, palaute ja yhteistyö.",
    ),
    DemoCourse(
        "Tekoäly koulussa: mahdollisuudet ja rajat",
        UH,
        F.HYBRID,
        ("DIGI", "L1", "L5"),
        3,
        popular=True,
        description=(
            "Mitä tekoäly osaa, miten sitä käytetään "
            "vastuullisesti ja mitä se tarkoittaa arvioinnille."
        ),
    ),
    DemoCourse(
        "Ohjelmointi alakoulussa",
        "LUMA-keskus Suomi",
        F.ONSITE,
        ("L5", "DIGI"),
        6,
        days=2,
        audience=(P.CLASS_TEACHER,),
        description="Robotiikkaa ja visuaalista ohjelmointia 1.–6. luokille.",
    ),
    DemoCourse(
        "Yhteisopettajuuden perusteet",
        CITY,
        F.ONSITE,
        ("COTEACH", "INCL"),
        6,
        veso=True,
        sessions=2,
        popular=True,
        description=(
            "Friendin ja Cookin yhteisopettajuuden mallit, yhteinen suunnittelu ja työnjako."
        ),
    ),
    DemoCourse(
        "Samanaikaisopetuksen mallit käytännössä",
        CITY,
        F.HYBRID,
        ("COTEACH",),
        4,
        description=(
            "Avustava, täydentävä, rinnakkais- ja pysäkkiopetus: esimerkkejä Vantaan kouluista."
        ),
    ),
    DemoCourse(
        "Erityisopettaja ja luokanopettaja parina",
        CITY,
        F.ONSITE,
        ("COTEACH", "INCL", "MULTI"),
        3,
        audience=(P.CLASS_TEACHER, P.SPECIAL_NEEDS_TEACHER, P.SPECIAL_CLASS_TEACHER),
        description="Parityön sopimukset, roolit ja yhteinen arviointi.",
    ),
    DemoCourse(
        "Ryhmäkohtaiset tukimuodot 1.8.2025 alkaen",
        OPH,
        F.ONLINE,
        ("INCL",),
        3,
        veso=True,
        sessions=2,
        description=(
            "Uudistunut oppimisen tuki: ryhmäkohtaiset "
            "ja oppilaskohtaiset tukimuodot sekä samanaikaisopetus."
        ),
    ),
    DemoCourse(
        "Oppilaskohtainen tuki ja hallintopäätökset",
        OPH,
        F.ONLINE,
        ("INCL",),
        2,
        audience=(P.SPECIAL_NEEDS_TEACHER, P.PRINCIPAL, P.VICE_PRINCIPAL, P.CLASS_TEACHER),
    ),
    DemoCourse(
        "Inklusiivinen luokka: eriyttäminen arjessa",
        CITY,
        F.ONSITE,
        ("INCL", "L1"),
        6,
        description="Eriyttämisen keinot ja oppimisympäristön joustot kaikille oppilaille.",
    ),
    DemoCourse(
        "Neuropsykiatrinen tuki koulussa",
        NMI,
        F.ONSITE,
        ("INCL", "L3"),
        6,
        approval=True,
        cost=120,
        popular=True,
        description="Toiminnanohjauksen tuki, ennakointi ja struktuuri luokassa.",
    ),
    DemoCourse(
        "Oppimista tukeva arviointi",
        OPH,
        F.ONSITE,
        ("ASSESS",),
        6,
        veso=True,
        description="Perusopetuksen arvioinnin kriteerit ja oppimista tukeva arviointi.",
    ),
    DemoCourse("Formatiivinen arviointi ja palaute", UH, F.ONLINE, ("ASSESS", "L1"), 3, sessions=2),
    DemoCourse("Itse- ja vertaisarviointi oppilaan työkaluna", CITY, F.HYBRID, ("ASSESS", "L7"), 3),
    DemoCourse(
        "KiVa Koulu -tiimin koulutus",
        KIVA,
        F.ONSITE,
        ("SEL",),
        6,
        approval=True,
        cost=90,
        description="KiVa-tiimin työtavat: selvittelykeskustelut ja seuranta.",
    ),
    DemoCourse("Tunnetaidot luokassa", CITY, F.ONSITE, ("SEL", "L3"), 3, popular=True),
    DemoCourse("Kiusaamisen ehkäisy ja puuttuminen", KIVA, F.ONLINE, ("SEL",), 3, veso=True),
    DemoCourse(
        "Vertaissovittelu ja ristiriitojen ratkaisu",
        "Suomen Sovittelufoorumi",
        F.ONSITE,
        ("SEL", "L2"),
        6,
        cost=60,
    ),
    DemoCourse(
        "Moniammatillinen oppilashuolto",
        CITY,
        F.ONSITE,
        ("MULTI", "INCL"),
        3,
        audience=(*WELFARE, P.PRINCIPAL, P.GUIDANCE_COUNSELLOR),
    ),
    DemoCourse("Kodin ja koulun yhteistyö", CITY, F.ONLINE, ("MULTI", "L2"), 2),
    DemoCourse(
        "Koulunkäynninohjaaja tiimin jäsenenä",
        CITY,
        F.ONSITE,
        ("MULTI", "INCL"),
        3,
        audience=(P.SCHOOL_ASSISTANT,),
    ),
    DemoCourse(
        "Rinnakkaisjohtaminen kouluyhteisössä",
        UH,
        F.ONSITE,
        ("PARLEAD",),
        6,
        approval=True,
        cost=250,
        audience=LEADERS,
        days=2,
        description="Pedagoginen johtaminen yhdessä opettajien kanssa: rakenteet ja käytännöt.",
    ),
    DemoCourse(
        "Tiimien johtaminen ja jaettu johtajuus",
        CITY,
        F.HYBRID,
        ("PARLEAD", "MULTI"),
        6,
        approval=True,
    ),
    DemoCourse("Monilukutaito kaikissa oppiaineissa", OPH, F.ONSITE, ("L4",), 3, veso=True),
    DemoCourse("Kielitietoinen opetus", UH, F.ONLINE, ("L4", "L2", "INCL"), 3),
    DemoCourse("Kestävä tulevaisuus ja ilmastokasvatus", CITY, F.ONSITE, ("L7",), 6),
    DemoCourse("Ilmiöpohjainen oppiminen", CITY, F.HYBRID, ("L1", "L6"), 6, days=2),
    DemoCourse(
        "Yrittäjyyskasvatus ja työelämätaidot",
        "Nuori Yrittäjyys ry",
        F.ONLINE,
        ("L6",),
        3,
        audience=(P.SUBJECT_TEACHER, P.GUIDANCE_COUNSELLOR),
    ),
    DemoCourse("Ulkona oppiminen ja liikkuva koulu", "Liikkuva koulu", F.ONSITE, ("L3", "L7"), 3),
    DemoCourse("Digital pedagogik i praktiken", ABO, F.ONLINE, ("DIGI", "L5"), 3),
    DemoCourse("Samundervisning i praktiken", ABO, F.ONSITE, ("COTEACH",), 6, veso=True),
]

FEEDBACK = [
    (5, "Heti käyttöön omalla tunnilla. Kiitos!"),
    (5, "Paras koulutus tänä vuonna."),
    (4, "Hyviä esimerkkejä, olisin kaivannut enemmän aikaa keskusteluun."),
    (4, "Käytännönläheinen ja selkeä."),
    (4, ""),
    (3, "Osa asioista oli jo tuttuja."),
    (5, ""),
    (2, "Liian teoreettinen minun tarpeisiini."),
]


def _weekday_on_or_after(day: date) -> date:
    """A school day: not a weekend, not the Christmas or summer break."""
    while True:
        if (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day < 8):
            day = date(day.year + (day.month == 12), 1, 8)
        elif (
            (day.month == 6 and day.day >= 5) or day.month == 7 or (day.month == 8 and day.day < 8)
        ):
            day = date(day.year, 8, 8)
        elif day.weekday() >= 5:
            day += timedelta(days=7 - day.weekday())
        else:
            return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), HELSINKI).astimezone(UTC)


@dataclass(eq=False)
class Staff:
    user: User
    unit_ids: set[int]
    principal_id: int | None = None


def seed(ctx) -> None:
    existing = set(db.session.scalars(sa.select(Course.title)))
    missing = [c for c in COURSES if c.title not in existing]
    if not missing:
        return
    rng = ctx.rng("training")
    areas = {a.code: a for a in db.session.scalars(sa.select(CompetenceArea))}
    staff = _staff()
    hr = db.session.scalar(sa.select(User).where(User.email == "hr@vantaa.example"))
    demo_emails = {a.email for a in ctx.accounts if a.role == "teacher"}
    by_email = {s.user.email: s for s in staff}
    demo_teachers = [by_email[e] for e in sorted(demo_emails) if e in by_email]
    now = utcnow()
    start_day = today() - timedelta(days=110)
    # Two courses are organized by demo teachers (the rest by HR), so "Courses I organize",
    # participant lists and attendance can be tried with a teacher's account too.
    special = [s for s in demo_teachers if s.user.profession == Profession.SPECIAL_NEEDS_TEACHER]
    swedish = [s for s in demo_teachers if s.user.preferred_language == "sv"]
    organizers = {
        "Erityisopettaja ja luokanopettaja parina": special[:1],
        "Samundervisning i praktiken": swedish[:1],
    }
    pending_mails: list[Enrollment] = []
    future: list[tuple[CourseSession, DemoCourse]] = []
    for index, spec in enumerate(COURSES):
        if spec.title in existing:
            continue
        course = Course(
            title=spec.title,
            description=spec.description or spec.title + ".",
            provider=spec.provider,
            format=spec.format,
            hours_credited=Decimal(spec.hours),
            veso_eligible=spec.veso,
            cost_eur=Decimal(spec.cost),
            approval_required=spec.approval,
            created_by_id=hr.id if hr else None,
        )
        course.areas = [areas[c] for c in spec.areas]
        course.audience = [CourseAudience(profession=p) for p in spec.audience]
        course.owners = [s.user for s in organizers.get(spec.title, [])]
        db.session.add(course)
        eligible = [s for s in staff if not spec.audience or s.user.profession in spec.audience]
        if spec.per_unit:
            _unit_days(rng, course, spec, staff, hr, areas, now)
            continue
        for n in range(spec.sessions):
            offset = (index * 9 + n * 97 + rng.randint(0, 20)) % 300
            day = _weekday_on_or_after(start_day + timedelta(days=offset))
            session = _session(rng, course, spec, day)
            db.session.add(session)
            db.session.flush()
            if session.ends_at < now:
                _past_enrolments(rng, session, spec, eligible, demo_teachers, hr, areas)
            else:
                pending_mails += _future_enrolments(
                    rng, session, spec, eligible, demo_teachers, now
                )
                future.append((session, spec))
    db.session.flush()
    pending_mails += _curate(rng, future, demo_teachers, now)
    _write_mails(pending_mails)


def _curate(rng, future, demo_teachers, now) -> list[Enrollment]:
    """Every demo teacher has a request waiting for their principal and a place on a
    waiting list, so that both sides of those pages show something."""
    taken = {
        (e.session_id, e.user_id)
        for e in db.session.scalars(
            sa.select(Enrollment).where(Enrollment.session_id.in_([s.id for s, _ in future]))
        )
    }
    mails = []
    for who in demo_teachers:
        for want in ("request", "waitlist"):
            for session, spec in future:
                fits = not spec.audience or who.user.profession in spec.audience
                if not fits or (session.id, who.user.id) in taken:
                    continue
                if want == "request" and spec.approval and who.principal_id:
                    e = _enrolment(session, who, now - timedelta(hours=rng.randint(2, 30)))
                    e.reason = "Osa kehittämissuunnitelmaani tänä vuonna."
                    _event(e, S.REQUESTED, e.created_at, who.user.id, e.reason)
                elif want == "waitlist" and session.booked_count >= session.capacity:
                    e = _enrolment(session, who, now - timedelta(minutes=rng.randint(5, 60)))
                    e.waitlisted_at = e.created_at
                    _event(e, S.WAITLISTED, e.created_at, who.user.id)
                else:
                    continue
                taken.add((session.id, who.user.id))
                mails.append(e)
                break
    db.session.flush()
    return mails


def _unit_days(rng, course, spec, staff, hr, areas, now) -> None:
    """The VESO day that opens the school year, in each unit for all its staff."""
    from pdservice.core.models import Unit
    from pdservice.core.services import current_school_year

    year = current_school_year()
    day = _weekday_on_or_after(year.starts_on + timedelta(days=7))
    for unit in db.session.scalars(sa.select(Unit).order_by(Unit.code)):
        members = [s for s in staff if unit.id in s.unit_ids]
        session = _session(rng, course, spec, day)
        session.location = unit.name
        session.capacity = len(members) + 5
        db.session.add(session)
        db.session.flush()
        if session.ends_at < now:
            _past_enrolments(rng, session, spec, members, [], hr, areas, count=len(members))


def _staff() -> list[Staff]:
    rows = db.session.execute(
        sa.select(User, UnitMembership.unit_id)
        .join(UnitMembership, UnitMembership.user_id == User.id)
        .where(User.active.is_(True))
        .order_by(User.id)
    ).all()
    principals = dict(
        db.session.execute(
            sa.select(UnitMembership.unit_id, UnitMembership.user_id).where(
                UnitMembership.role == UnitRole.PRINCIPAL
            )
        ).all()
    )
    by_id: dict[int, Staff] = {}
    for user, unit_id in rows:
        principal = principals.get(unit_id)
        member = by_id.setdefault(
            user.id, Staff(user, set(), principal if principal != user.id else None)
        )
        member.unit_ids.add(unit_id)
    return list(by_id.values())


def _session(rng: random.Random, course: Course, spec: DemoCourse, day: date) -> CourseSession:
    hours = spec.hours / spec.days
    first_hour = 9 if hours >= 5 else rng.choice([12, 13, 14])
    dates = []
    for d in range(spec.days):
        when = _weekday_on_or_after(day + timedelta(days=7 * d))
        start = _at(when, first_hour)
        dates.append(SessionDate(starts_at=start, ends_at=start + timedelta(hours=hours)))
    starts_at, ends_at = dates[0].starts_at, dates[-1].ends_at
    # Enrolment opens at 8 in the morning six weeks before, but not in the summer break.
    opens_on = max(
        day - timedelta(days=45), date(day.year if day.month >= 8 else day.year - 1, 8, 3)
    )
    capacity = 8 if spec.popular else rng.choice([12, 16, 20, 24])
    location = {
        F.ONSITE: rng.choice(
            [
                "Tikkurilan koulutustila, Kielotie 13",
                "Myyrmäen koulutustila",
                "Koivurinteen koulu, auditorio",
            ]
        ),
        F.HYBRID: "Tikkurilan koulutustila, Kielotie 13",
        F.ONLINE: "",
    }[spec.format]
    online = "https://teams.example/vantaa-koulutus" if spec.format != F.ONSITE else ""
    return CourseSession(
        course=course,
        location=location,
        online_url=online,
        capacity=capacity,
        waitlist_limit=None,
        booked_count=0,
        starts_at=starts_at,
        ends_at=ends_at,
        enrol_opens_at=min(_at(opens_on, 8), starts_at - timedelta(days=3)),
        enrol_closes_at=starts_at - timedelta(days=2),
        cancel_cutoff_at=starts_at - timedelta(days=5),
        dates=dates,
    )


def _event(e: Enrollment, to: S, at: datetime, actor_id: int | None, note: str = "") -> None:
    e.events.append(
        EnrollmentEvent(from_status=e.status, to_status=to, at=at, actor_id=actor_id, note=note)
    )
    e.status = to


def _enrolment(session: CourseSession, who: Staff, at: datetime, reason: str = "") -> Enrollment:
    e = Enrollment(session_id=session.id, user_id=who.user.id, reason=reason, created_at=at)
    db.session.add(e)
    return e


def _participants(rng, eligible, demo_teachers, count, *, include_demo=0.5):
    """`count` people of those the course is meant for; the demo teachers often among them,
    so that their pages show something."""
    chosen = rng.sample(eligible, min(count, len(eligible)))
    for teacher in demo_teachers:
        if teacher in eligible and teacher not in chosen and rng.random() < include_demo:
            if chosen:
                chosen[rng.randrange(len(chosen))] = teacher
            else:
                chosen.append(teacher)
    return list(dict.fromkeys(chosen))


def _past_enrolments(rng, session, spec, eligible, demo_teachers, hr, areas, count=None) -> None:
    """A session that took place: seats, attendance, hours, feedback."""
    count = count or rng.randint(int(session.capacity * 0.6), session.capacity)
    people = _participants(rng, eligible, demo_teachers, count, include_demo=0.35)
    year = school_year_for(session.starts_at.astimezone(HELSINKI).date())
    occurred_on = session.starts_at.astimezone(HELSINKI).date()
    marked_at = session.ends_at + timedelta(hours=20)
    credited = Decimal(spec.hours)
    ledger_rows: list[DevelopmentHours] = []
    attended: list[tuple] = []
    for n, who in enumerate(people):
        at = session.enrol_opens_at + timedelta(days=n // 4, hours=1 + 2 * (n % 4), minutes=7 * n)
        at = min(at, session.enrol_closes_at - timedelta(hours=len(people) - n))
        e = _enrolment(session, who, at, "Tarvitsen tätä työssäni." if spec.approval else "")
        if spec.approval:
            _event(e, S.REQUESTED, at, who.user.id, e.reason)
            _event(e, S.APPROVED, at + timedelta(days=1), who.principal_id)
            at += timedelta(days=1)
        _event(e, S.BOOKED, at, None if spec.approval else who.user.id)
        e.booked_at = at
        session.booked_count += 1
        roll = rng.random()
        if roll < 0.1:
            _event(e, S.NO_SHOW, marked_at, hr.id if hr else None)
            continue
        if roll < 0.2 and credited > 1:
            hours = (credited / 2).quantize(Decimal("0.1"))
            _event(e, S.PARTLY_ATTENDED, marked_at, hr.id if hr else None, f"{hours} h")
        else:
            hours = credited
            _event(e, S.ATTENDED, marked_at, hr.id if hr else None, f"{hours} h")
        e.hours_attended = hours
        feedback = rng.choice(FEEDBACK) if rng.random() < 0.55 else None
        attended.append((e, who, hours, feedback))
    db.session.flush()  # one flush for the session: the enrolments get their ids
    for e, who, hours, feedback in attended:
        ledger_rows.append(
            DevelopmentHours(
                user_id=who.user.id,
                school_year_id=year.id,
                occurred_on=occurred_on,
                hours=hours,
                kind=HoursKind.VESO if spec.veso else HoursKind.TRAINING,
                source_type="enrollment",
                source_id=e.id,
                title=spec.title,
                approved_by_id=hr.id if hr else None,
                created_at=marked_at,
            )
        )
        if feedback is not None:
            db.session.add(
                TrainingFeedback(
                    enrollment_id=e.id,
                    course_id=session.course_id,
                    rating=feedback[0],
                    comment=feedback[1],
                    created_at=marked_at + timedelta(days=1),
                )
            )
    db.session.add_all(ledger_rows)
    db.session.flush()
    area_ids = [areas[c].id for c in spec.areas]
    if ledger_rows:
        db.session.execute(
            development_hours_area.insert(),
            [{"hours_id": row.id, "area_id": a} for row in ledger_rows for a in area_ids],
        )


def _future_enrolments(rng, session, spec, eligible, demo_teachers, now) -> list[Enrollment]:
    """A coming session: seats, a waiting list when popular, requests when approval is
    needed. Returns the enrolments worth a mail in the outbox."""
    opened = max(session.enrol_opens_at, now - timedelta(days=40))
    if spec.popular:
        count = session.capacity + rng.randint(2, 5)
    else:
        count = rng.randint(0, int(session.capacity * 0.7))
    people = _participants(rng, eligible, demo_teachers, count, include_demo=0.25)
    mails = []
    for n, who in enumerate(people):
        at = min(opened + timedelta(hours=5 + 9 * n), now - timedelta(minutes=len(people) - n))
        if spec.approval:
            e = _enrolment(
                session,
                who,
                at,
                rng.choice(
                    [
                        "Tarvitsen tätä tukiopetuksen suunnitteluun.",
                        "Osa kehittämissuunnitelmaani.",
                        "Koulumme KiVa-tiimi tarvitsee uuden jäsenen.",
                        "Rehtorin kanssa sovittu.",
                    ]
                ),
            )
            _event(e, S.REQUESTED, at, who.user.id, e.reason)
            if n % 3 == 2:  # still waiting for the principal
                mails.append(e)
                continue
            if n % 7 == 6:
                _event(
                    e, S.REJECTED, at + timedelta(days=1), who.principal_id, "Budjetti ei riitä."
                )
                continue
            _event(e, S.APPROVED, at + timedelta(days=1), who.principal_id)
            at = at + timedelta(days=1)
        else:
            e = _enrolment(session, who, at)
        if session.booked_count < session.capacity:
            session.booked_count += 1
            e.booked_at = at
            _event(e, S.BOOKED, at, None if spec.approval else who.user.id)
        else:
            e.waitlisted_at = at
            _event(e, S.WAITLISTED, at, None if spec.approval else who.user.id)
            if who in demo_teachers:
                mails.append(e)
        if not spec.popular and not spec.approval and n % 11 == 10 and e.status == S.BOOKED:
            # Someone changed their plans: the seat went back (before anyone waited).
            _event(e, S.CANCELLED, at + timedelta(days=2), who.user.id, "Päällekkäinen kokous.")
            session.booked_count -= 1
    db.session.flush()
    return mails


def _write_mails(enrollments: list[Enrollment]) -> None:
    """Real mails about waiting demo teachers and pending requests, through the outbox."""
    from pdservice.training import mails

    for e in enrollments:
        if e.status == S.REQUESTED:
            mails.approval_requested(e)
        elif e.status == S.WAITLISTED:
            mails.placed(e)
