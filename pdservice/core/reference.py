"""Reference data every installation has: the competence areas.

The initial migration inserts the same rows; `seed_reference_data()` is the idempotent
command form (`flask seed reference`) and what the tests use. A test checks the two agree.
"""

from __future__ import annotations

import sqlalchemy as sa

from pdservice.core.enums import CompetenceKind
from pdservice.core.models import CompetenceArea
from pdservice.extensions import db

# (code, kind, Finnish, Swedish, English). L1–L7: the transversal competences of the
# basic-education core curriculum 2014; then the strategy themes staff competences attach to.
COMPETENCE_AREAS: list[tuple[str, str, str, str, str]] = [
    (
        "L1",
        "transversal",
        "Ajattelu ja oppimaan oppiminen",
        "Förmåga att tänka och lära sig",
        "Thinking and learning to learn",
    ),
    (
        "L2",
        "transversal",
        "Kulttuurinen osaaminen, vuorovaikutus ja ilmaisu",
        "Kulturell och kommunikativ kompetens",
        "Cultural competence, interaction and self-expression",
    ),
    (
        "L3",
        "transversal",
        "Itsestä huolehtiminen ja arjen taidot",
        "Vardagskompetens",
        "Taking care of oneself and managing daily life",
    ),
    ("L4", "transversal", "Monilukutaito", "Multilitteracitet", "Multiliteracy"),
    (
        "L5",
        "transversal",
        "Tieto- ja viestintäteknologinen osaaminen",
        "Digital kompetens",
        "ICT competence",
    ),
    (
        "L6",
        "transversal",
        "Työelämätaidot ja yrittäjyys",
        "Arbetslivskompetens och entreprenörskap",
        "Working-life competence and entrepreneurship",
    ),
    (
        "L7",
        "transversal",
        "Osallistuminen, vaikuttaminen ja kestävän tulevaisuuden rakentaminen",
        "Förmåga att delta, påverka och bidra till en hållbar framtid",
        "Participation, involvement and building a sustainable future",
    ),
    ("DIGI", "theme", "Digipedagogiikka", "Digital pedagogik", "Digital pedagogy"),
    (
        "INCL",
        "theme",
        "Inklusiivinen kasvatus ja oppimisen tuki",
        "Inkluderande fostran och stöd för lärande",
        "Inclusive education and learning support",
    ),
    ("ASSESS", "theme", "Oppimisen arviointi", "Bedömning av lärande", "Assessment"),
    (
        "SEL",
        "theme",
        "Sosiaaliset ja tunnetaidot, kiusaamisen ehkäisy (KiVa)",
        "Sociala och emotionella färdigheter, förebyggande av mobbning (KiVa)",
        "Social and emotional skills, anti-bullying (KiVa)",
    ),
    ("COTEACH", "theme", "Yhteisopettajuus", "Samundervisning", "Co-teaching"),
    (
        "MULTI",
        "theme",
        "Moniammatillinen yhteistyö",
        "Multiprofessionellt samarbete",
        "Multiprofessional work",
    ),
    ("PARLEAD", "theme", "Rinnakkaisjohtaminen", "Parallellt ledarskap", "Parallel leadership"),
]


def seed_reference_data() -> int:
    """Insert missing competence areas and correct changed names. Returns rows changed."""
    existing = {a.code: a for a in db.session.scalars(sa.select(CompetenceArea))}
    changed = 0
    for order, (code, kind, fi, sv, en) in enumerate(COMPETENCE_AREAS, start=1):
        area = existing.get(code)
        if area is None:
            db.session.add(
                CompetenceArea(
                    code=code,
                    kind=CompetenceKind(kind),
                    name_fi=fi,
                    name_sv=sv,
                    name_en=en,
                    sort_order=order,
                )
            )
            changed += 1
        elif (area.name_fi, area.name_sv, area.name_en, area.sort_order) != (fi, sv, en, order):
            area.name_fi, area.name_sv, area.name_en, area.sort_order = fi, sv, en, order
            changed += 1
    db.session.flush()
    return changed
