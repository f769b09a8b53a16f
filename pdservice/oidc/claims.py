"""From a provider's claims to what pdservice needs: who (subject, e-mail, name) and where
(units and roles). Pure functions; the database is asked elsewhere."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pdservice.core.enums import UnitRole
from pdservice.oidc.config import ProviderConfig


@dataclass(frozen=True)
class ClaimedIdentity:
    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    # unit code -> role in it, as the claims say (principal wins over teacher)
    units: Mapping[str, UnitRole] = field(default_factory=dict)
    hr: bool = False
    admin: bool = False
    # The claims say the person is not staff (a pupil, a student): refused.
    not_staff: bool = False
    # Roles named without a unit (app role "Principal" and no unit): principal of every
    # unit the claims name; a teacher role alone grants nothing more than the units.
    roles: frozenset[str] = frozenset()

    @property
    def grants_anything(self) -> bool:
        return bool(self.units) or self.hr or self.admin


def _values(claims: Mapping[str, Any], name: str | None) -> list[str]:
    """A claim's values as strings: a list, or one value, or ';'-separated (as MPASSid sends
    multi-valued attributes from some home organisations)."""
    if not name or name not in claims or claims[name] is None:
        return []
    raw = claims[name]
    items: Iterable[Any] = raw if isinstance(raw, list | tuple) else [raw]
    values: list[str] = []
    for item in items:
        text = str(item).strip()
        if text:
            values.append(text)
    return values


def _first(claims: Mapping[str, Any], names: Iterable[str]) -> str | None:
    for name in names:
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _map_role(provider: ProviderConfig, value: str) -> str | None:
    """The role a claim value maps to (case-insensitive), None when unmapped."""
    if value in provider.role_map:
        return provider.role_map[value]
    lowered = {k.lower(): v for k, v in provider.role_map.items()}
    return lowered.get(value.lower())


def _map_unit(provider: ProviderConfig, value: str) -> tuple[str, UnitRole] | None:
    """(unit code, role the mapping itself gives) for a unit claim value.

    With a UNIT_MAP, values it does not name are someone else's business (a person's other
    groups) and give None; without one, the value is the unit's code."""
    if provider.unit_map:
        target = provider.unit_map.get(value)
        if target is None:
            return None
        code, _sep, role = target.partition(":")
        return code, UnitRole.PRINCIPAL if role == "principal" else UnitRole.TEACHER
    return value, UnitRole.TEACHER


def _mpassid_roles(provider: ProviderConfig, claims: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(school code, role) pairs from MPASSid's role values
    "<education provider>;<school code>;<group>;<role>[;...]"."""
    pairs = []
    for value in _values(claims, provider.role_claim):
        parts = [p.strip() for p in value.split(";")]
        if len(parts) >= 4 and parts[1] and parts[3]:
            pairs.append((parts[1], parts[3]))
    return pairs


def identity_from_claims(provider: ProviderConfig, claims: Mapping[str, Any]) -> ClaimedIdentity:
    subject = str(claims.get("sub") or "")
    email = _first(claims, provider.email_claims)
    if email is not None and "@" not in email:
        email = None  # a user principal name that is not an address, for instance
    name = _first(claims, provider.name_claims)
    if name is None:
        given, family = claims.get("given_name"), claims.get("family_name")
        joined = " ".join(str(p).strip() for p in (given, family) if p and str(p).strip())
        name = joined or None
    verified = claims.get("email_verified")
    email_verified = verified is not False and str(verified).lower() != "false"

    units: dict[str, UnitRole] = {}

    def grant(code: str, role: UnitRole) -> None:
        if units.get(code) != UnitRole.PRINCIPAL:
            units[code] = role

    roles: set[str] = set()
    not_staff = False
    if provider.claim_format == "mpassid":
        for school, role_value in _mpassid_roles(provider, claims):
            role = _map_role(provider, role_value)
            if role == "none":
                not_staff = True
                continue
            if role not in ("teacher", "principal"):
                continue
            mapped = _map_unit(provider, school)
            if mapped is not None:
                grant(mapped[0], UnitRole.PRINCIPAL if role == "principal" else mapped[1])
        if not units and not not_staff:
            # No usable role values: the school codes alone, with a staff role.
            for value in _values(claims, provider.unit_claim):
                mapped = _map_unit(provider, value)
                if mapped is not None:
                    grant(*mapped)
    else:
        for value in _values(claims, provider.role_claim):
            role = _map_role(provider, value)
            if role is not None:
                roles.add(role)
        not_staff = "none" in roles and not (roles - {"none"})
        for value in _values(claims, provider.unit_claim):
            mapped = _map_unit(provider, value)
            if mapped is not None:
                code, role = mapped
                grant(code, UnitRole.PRINCIPAL if "principal" in roles else role)
    return ClaimedIdentity(
        subject=subject,
        email=email.lower() if email else None,
        email_verified=email_verified,
        name=name,
        units=units,
        hr="hr" in roles,
        admin="admin" in roles,
        not_staff=not_staff and not units,
        roles=frozenset(roles),
    )
