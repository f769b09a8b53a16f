"""Co-teaching wishes: what each staff member states for a term.

Privacy: the avoided partners of a wish are shown to the person who stated them and to the
unit's principals, never to anyone else and never to the avoided person (who is not told, not
even through an explanation; see `review/explain.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from pdservice.core.models import User
from pdservice.core.services import audit
from pdservice.coteaching.enums import PartnerKind
from pdservice.coteaching.models import (
    CoTeachingPreference,
    PreferencePartner,
    PreferenceSubject,
)
from pdservice.extensions import db
from pdservice.timetable.models import Subject, Term

MAX_LESSONS_A_WEEK = 30


@dataclass(frozen=True)
class Wish:
    willing: bool
    max_lessons: int
    subjects: tuple[str, ...]
    wished: tuple[int, ...]
    avoided: tuple[int, ...]
    comment: str | None = None


class WishError(ValueError):
    """A wish that cannot be saved; `field` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def preference_of(term_id: int, user_id: int) -> CoTeachingPreference | None:
    return db.session.scalar(
        sa.select(CoTeachingPreference)
        .where(CoTeachingPreference.term_id == term_id, CoTeachingPreference.user_id == user_id)
        .options(
            so.selectinload(CoTeachingPreference.subjects),
            so.selectinload(CoTeachingPreference.partners),
        )
    )


def earlier_preference(term: Term, user_id: int) -> CoTeachingPreference | None:
    """The person's wish for the unit's latest earlier term, to start the form from."""
    return db.session.scalar(
        sa.select(CoTeachingPreference)
        .join(Term, Term.id == CoTeachingPreference.term_id)
        .where(
            CoTeachingPreference.user_id == user_id,
            Term.unit_id == term.unit_id,
            Term.starts_on < term.starts_on,
        )
        .order_by(Term.starts_on.desc())
        .limit(1)
    )


def term_subject_codes(term_id: int) -> list[tuple[str, str]]:
    return [
        (s.code, s.name)
        for s in db.session.scalars(
            sa.select(Subject).where(Subject.term_id == term_id).order_by(Subject.code)
        )
    ]


def save_wish(term: Term, user: User, wish: Wish, staff_ids: set[int]) -> CoTeachingPreference:
    """Create or replace `user`'s wish for `term`. Raises WishError for a wish that makes no
    sense (a partner outside the unit, oneself, someone both wished and avoided)."""
    if not 0 <= wish.max_lessons <= MAX_LESSONS_A_WEEK:
        raise WishError("max_lessons", "out of range")
    for field, ids in (("wished", wish.wished), ("avoided", wish.avoided)):
        if user.id in ids:
            raise WishError(field, "self")
        if not set(ids) <= staff_ids:
            raise WishError(field, "not staff")
    if set(wish.wished) & set(wish.avoided):
        raise WishError("avoided", "both")
    preference = preference_of(term.id, user.id)
    before = _snapshot(preference) if preference is not None else None
    if preference is None:
        preference = CoTeachingPreference(term_id=term.id, user_id=user.id)
        db.session.add(preference)
    preference.willing = wish.willing
    preference.max_lessons = wish.max_lessons
    preference.comment = (wish.comment or "").strip()[:500] or None
    preference.subjects = [PreferenceSubject(code=code) for code in sorted(set(wish.subjects))]
    preference.partners = [
        PreferencePartner(partner_id=i, kind=PartnerKind.WISH) for i in sorted(set(wish.wished))
    ] + [PreferencePartner(partner_id=i, kind=PartnerKind.AVOID) for i in sorted(set(wish.avoided))]
    db.session.flush()
    after = _snapshot(preference)
    # The audit log records that a wish changed and how, but not whom someone avoids: the
    # log is read by administrators, who must not learn it either.
    audit(
        "coteaching.wish_saved",
        preference,
        unit_id=term.unit_id,
        actor=user,
        changes={
            k: [before.get(k) if before else None, v]
            for k, v in after.items()
            if not before or before.get(k) != v
        },
    )
    return preference


def _snapshot(preference: CoTeachingPreference) -> dict:
    return {
        "willing": preference.willing,
        "max_lessons": preference.max_lessons,
        "subjects": [s.code for s in preference.subjects],
        "wished": preference.partner_ids(PartnerKind.WISH),
        "avoided_count": len(preference.partner_ids(PartnerKind.AVOID)),
    }


def term_preferences(term_id: int) -> list[CoTeachingPreference]:
    """Every stated wish of a term, for the principal's overview."""
    return list(
        db.session.scalars(
            sa.select(CoTeachingPreference)
            .where(CoTeachingPreference.term_id == term_id)
            .options(
                so.joinedload(CoTeachingPreference.user),
                so.selectinload(CoTeachingPreference.subjects),
                so.selectinload(CoTeachingPreference.partners).joinedload(
                    PreferencePartner.partner
                ),
            )
        )
    )
