"""Who signs in: the person an OpenID provider's claims stand for.

    person = person_for(provider, identity)   # raises SignInRefused

1. A person already connected to the provider account (`sub`) is that person.
2. Else a person whose e-mail address the provider vouches for is connected to it.
3. Else, when the provider allows just-in-time creation, a new person is created with the
   units and roles the claims name (every unit must exist, or nothing is created).
4. Else the sign-in is refused with a page that says whom to ask.

On every sign-in (when UPDATE_ROLES is on) the units and roles the claims name are added;
nothing is taken away (an administrator, the CSV import or provisioning does that).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from pdservice.accounts.services import (
    AccountError,
    PersonDetails,
    create_person,
    grant_unit_role,
    set_division_role,
)
from pdservice.core.enums import Role
from pdservice.core.models import Unit, User
from pdservice.core.services import audit, find_user_by_email
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.oidc.claims import ClaimedIdentity
from pdservice.oidc.config import ProviderConfig
from pdservice.oidc.models import IdentityLink


@dataclass
class SignInRefused(Exception):
    """A sign-in that cannot go on: `error` is the OAuth 2.0 / OpenID error code, `message`
    what the person reads, `detail` what the log says."""

    status: int
    error: str
    message: str
    detail: str

    def __str__(self) -> str:
        return f"{self.error}: {self.detail}"


def source_of(provider: ProviderConfig) -> str:
    return f"oidc:{provider.name}"


def find_link(provider: ProviderConfig, subject: str) -> IdentityLink | None:
    return db.session.scalar(
        sa.select(IdentityLink).where(
            IdentityLink.provider == provider.name, IdentityLink.subject == subject
        )
    )


def link_account(user: User, provider: ProviderConfig, subject: str, *, how: str) -> IdentityLink:
    existing = db.session.scalar(
        sa.select(IdentityLink).where(
            IdentityLink.provider == provider.name, IdentityLink.user_id == user.id
        )
    )
    if existing is not None and existing.subject != subject:
        raise SignInRefused(
            409,
            "account_selection_required",
            _(
                "Your account is already connected to another %(provider)s account. "
                "Sign in with that one, or remove the connection on your account page first.",
                provider=provider.label("en"),
            ),
            f"person {user.id} is linked to another {provider.name} subject",
        )
    link = existing or IdentityLink(user_id=user.id, provider=provider.name, subject=subject)
    if existing is None:
        db.session.add(link)
        db.session.flush()
        audit("oidc.linked", user, changes={"provider": provider.name, "how": how})
    return link


def _units(identity: ClaimedIdentity) -> tuple[dict[str, Unit], list[str]]:
    codes = sorted(identity.units)
    units = {u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.code.in_(codes)))}
    return units, [c for c in codes if c not in units]


def _grant(user: User, provider: ProviderConfig, identity: ClaimedIdentity) -> None:
    units, missing = _units(identity)
    if missing:
        current_app.logger.warning(
            "OIDC %s: the claims of person %s name units that do not exist: %s "
            "(check UNIT_MAP); they were skipped",
            provider.name,
            user.id,
            ", ".join(missing),
        )
    source = source_of(provider)
    for code, role in identity.units.items():
        if code in units:
            grant_unit_role(user, units[code], role, source=source)
    if identity.hr:
        set_division_role(user, Role.HR, True, source=source)
    if identity.admin:
        set_division_role(user, Role.ADMIN, True, source=source)


def _refuse_inactive(provider: ProviderConfig, user: User) -> None:
    if not user.active:
        raise SignInRefused(
            403,
            "access_denied",
            _("Your account has been deactivated. Ask your principal or an administrator."),
            f"person {user.id} is deactivated",
        )


def person_for(provider: ProviderConfig, identity: ClaimedIdentity) -> User:
    if not identity.subject:
        raise SignInRefused(
            401, "invalid_token", _("The sign-in could not be checked."), "no sub claim"
        )
    if identity.not_staff:
        raise SignInRefused(
            403,
            "access_denied",
            _("This service is for the staff of the city's schools and day-care centres."),
            "the claims say the person is not staff (a pupil or student role)",
        )
    link = find_link(provider, identity.subject)
    if link is not None:
        user = link.user
        _refuse_inactive(provider, user)
        link.last_used_at = utcnow()
    else:
        user = _by_email(provider, identity) or _create(provider, identity)
    if provider.update_roles:
        _grant(user, provider, identity)
    return user


def _by_email(provider: ProviderConfig, identity: ClaimedIdentity) -> User | None:
    if not identity.email or not identity.email_verified:
        return None
    user = find_user_by_email(identity.email)
    if user is None:
        return None
    _refuse_inactive(provider, user)
    link_account(user, provider, identity.subject, how="email").last_used_at = utcnow()
    return user


def _create(provider: ProviderConfig, identity: ClaimedIdentity) -> User:
    if not provider.create_users:
        raise SignInRefused(
            403,
            "access_denied",
            _(
                "There is no account for you in this service yet. Your principal or an "
                "administrator can add you; then sign in again."
            ),
            f"no person for subject {identity.subject} (e-mail {identity.email or '-'}) "
            "and just-in-time creation is off",
        )
    if not identity.email or not identity.email_verified:
        raise SignInRefused(
            403,
            "access_denied",
            _(
                "Your account at the identity provider gives no e-mail address, so no "
                "account can be made for you. Ask an administrator to add you."
            ),
            f"cannot create subject {identity.subject}: no verified e-mail claim",
        )
    if not identity.grants_anything:
        raise SignInRefused(
            403,
            "access_denied",
            _(
                "Your account at the identity provider names no unit or role of this "
                "service. Ask an administrator to add you."
            ),
            f"cannot create {identity.email}: the claims name no unit or role",
        )
    units, missing = _units(identity)
    if missing:
        current_app.logger.error(
            "OIDC %s: cannot create %s: the claims name units that do not exist: %s "
            "(check UNIT_MAP)",
            provider.name,
            identity.email,
            ", ".join(missing),
        )
        raise SignInRefused(
            403,
            "access_denied",
            _(
                "Your account names a unit this service does not know (%(units)s). "
                "An administrator has to add the unit or correct the sign-in settings.",
                units=", ".join(missing),
            ),
            f"claims name unknown units {', '.join(missing)}",
        )
    try:
        user = create_person(
            PersonDetails(email=identity.email, name=identity.name or identity.email),
            source=source_of(provider),
        )
    except AccountError as exc:
        raise SignInRefused(
            403, "access_denied", _("No account could be made for you."), str(exc)
        ) from exc
    link_account(user, provider, identity.subject, how="created").last_used_at = utcnow()
    return user
