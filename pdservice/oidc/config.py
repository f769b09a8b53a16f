"""The OpenID providers staff may sign in with, read from the environment.

    PDSERVICE_OIDC_PROVIDERS=entra,mpassid          the providers, in the order of their buttons
    PDSERVICE_OIDC_<NAME>_<SETTING>=...             each provider's settings (below)

A provider's `PRESET` (`entra`, `mpassid` or `generic`; by default the provider's name when it
is one of the first two) fills in the settings a city rarely changes; any setting given
overrides its preset. docs/operations.md ("Signing in with the city's account") walks through
Entra ID and MPASSid.

| setting | meaning |
|---|---|
| ISSUER | the issuer URL; its `/.well-known/openid-configuration` is read (discovery) |
| CLIENT_ID, CLIENT_SECRET | the client registered at the provider |
| SCOPES | space-separated; `openid` is always asked for |
| LABEL, LABEL_FI, LABEL_SV | the button's text ("Sign in with ..."), per language |
| EMAIL_CLAIMS | the claims holding the e-mail address, the first present wins |
| NAME_CLAIMS | the claims holding the name; `given_name family_name` joined when no full name |
| UNIT_CLAIM, UNIT_MAP | the claim naming units (attribute or groups), `value=unit-code` pairs |
| ROLE_CLAIM, ROLE_MAP | the claim naming roles (app roles, groups) and `value=role` pairs |
| CLAIM_FORMAT | `plain`, or `mpassid`: each role value names its school and role together |
| CREATE_USERS | create unknown people on their first sign-in (just-in-time), default off |
| UPDATE_ROLES | on every sign-in, add the units and roles the claims name, default on |
| USERINFO | also read the userinfo endpoint's claims |
| LOGOUT | signing out also ends the provider's session (RP-initiated logout), default on |

A `UNIT_MAP` value may end in `:principal` (`<group id>=koivurinne:principal`): the group then
makes its members principals of the unit. Roles: `teacher` (any staff member), `principal`
(of the units the claims name), `hr`, `admin`, or `none` (not staff: refused).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pdservice.config import ConfigError

PROVIDER_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")
ROLE_NAMES = ("teacher", "principal", "hr", "admin", "none")
CLAIM_FORMATS = ("plain", "mpassid")
PASSWORD_SIGNIN = ("everyone", "admins")


@dataclass(frozen=True)
class ProviderConfig:
    """One OpenID provider and how its claims map to people, units and roles."""

    name: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False, default="")
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    labels: Mapping[str, str] = field(default_factory=dict)  # language -> button text
    email_claims: tuple[str, ...] = ("email",)
    name_claims: tuple[str, ...] = ("name",)
    unit_claim: str | None = None
    unit_map: Mapping[str, str] = field(default_factory=dict)
    role_claim: str | None = None
    role_map: Mapping[str, str] = field(default_factory=dict)
    claim_format: str = "plain"
    create_users: bool = False
    update_roles: bool = True
    userinfo: bool = False
    logout: bool = True

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("en") or self.name


# Entra ID: e-mail in `email` (an optional claim) or the user principal name; units from
# security groups (object ids, mapped in UNIT_MAP); roles from the app roles of the
# enterprise application.
ENTRA = {
    "scopes": ("openid", "email", "profile"),
    "labels": {"en": "City account", "fi": "Kaupungin tunnus", "sv": "Stadens konto"},
    "email_claims": ("email", "preferred_username", "upn"),
    "name_claims": ("name",),
    "unit_claim": "groups",
    "role_claim": "roles",
    "role_map": {
        "Teacher": "teacher",
        "Staff": "teacher",
        "Principal": "principal",
        "HR": "hr",
        "Admin": "admin",
    },
}

# MPASSid (data model 1.1 and later): `urn:mpass.id:role` values are
# "<education provider>;<school code>;<group>;<role>[;...]", one per school; the school's
# Statistics Finland code maps to a unit (UNIT_MAP, or a unit whose code is the school code).
# MPASSid gives no e-mail address: a person connects MPASSid to their account once, from the
# account page, or is recognised by e-mail where the home organisation adds one.
MPASSID = {
    "scopes": ("openid", "profile"),
    "labels": {"en": "MPASSid", "fi": "MPASSid", "sv": "MPASSid"},
    "email_claims": ("email",),
    "name_claims": ("name",),
    "unit_claim": "urn:mpass.id:schoolCode",
    "role_claim": "urn:mpass.id:role",
    "claim_format": "mpassid",
    "userinfo": True,
    "role_map": {
        "opettaja": "teacher",
        "lärare": "teacher",
        "teacher": "teacher",
        "sijaisopettaja": "teacher",
        "lärarvikarie": "teacher",
        "substitute teacher": "teacher",
        "hallintohenkilö": "teacher",
        "henkilökunta": "teacher",
        "koulusihteeri": "teacher",
        "skolsekreterare": "teacher",
        "school secretary": "teacher",
        "staff": "teacher",
        "rehtori": "principal",
        "rektor": "principal",
        "principal": "principal",
        "oppilas": "none",
        "opiskelija": "none",
        "oppija": "none",
        "elev": "none",
        "studerande": "none",
        "inlärare": "none",
        "student": "none",
        "learner": "none",
    },
}

PRESETS: dict[str, dict[str, Any]] = {"entra": ENTRA, "mpassid": MPASSID, "generic": {}}


def parse_map(name: str, raw: str) -> dict[str, str]:
    """`key=value,key=value` (spaces around items are ignored)."""
    pairs: dict[str, str] = {}
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ConfigError(f"{name}: expected key=value pairs separated by commas, got {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def provider_from_settings(name: str, settings: Mapping[str, Any]) -> ProviderConfig:
    """A provider from its preset and the settings given (str values from the environment,
    or typed values from `create_app(config=...)`)."""
    prefix = f"PDSERVICE_OIDC_{name.upper()}_"
    if not PROVIDER_NAME.match(name):
        raise ConfigError(
            f"OpenID provider name {name!r}: use lower-case letters, digits, - and _ "
            "(it appears in the provider's redirect URI)"
        )
    preset_name = str(settings.get("preset") or (name if name in PRESETS else "generic"))
    if preset_name not in PRESETS:
        raise ConfigError(f"{prefix}PRESET must be one of {', '.join(PRESETS)}")
    values: dict[str, Any] = dict(PRESETS[preset_name])
    for key, raw in settings.items():
        if key == "preset" or raw is None:
            continue
        setting = prefix + key.upper()
        if not isinstance(raw, str):
            values[key] = raw
        elif key in ("scopes", "email_claims", "name_claims"):
            values[key] = tuple(raw.replace(",", " ").split())
        elif key in ("unit_map", "role_map"):
            values[key] = parse_map(setting, raw)
        elif key in ("create_users", "update_roles", "userinfo", "logout"):
            values[key] = _bool(setting, raw)
        elif key.startswith("label"):
            language = key.partition("_")[2] or "en"
            values.setdefault("labels", {})
            values["labels"] = {**values["labels"], language: raw}
        else:
            values[key] = raw
    for required in ("issuer", "client_id"):
        if not values.get(required):
            raise ConfigError(f"{prefix}{required.upper()} is not set")
    scopes = tuple(values.get("scopes") or ())
    values["scopes"] = scopes if "openid" in scopes else ("openid", *scopes)
    if values.get("claim_format", "plain") not in CLAIM_FORMATS:
        raise ConfigError(f"{prefix}CLAIM_FORMAT must be one of {', '.join(CLAIM_FORMATS)}")
    bad_roles = sorted({v for v in values.get("role_map", {}).values() if v not in ROLE_NAMES})
    if bad_roles:
        raise ConfigError(
            f"{prefix}ROLE_MAP: unknown roles {', '.join(bad_roles)} (use {', '.join(ROLE_NAMES)})"
        )
    for target in values.get("unit_map", {}).values():
        _code, _sep, role = target.partition(":")
        if role and role not in ("teacher", "principal"):
            raise ConfigError(f"{prefix}UNIT_MAP: {target!r} (a unit code, or code:principal)")
    fields = set(ProviderConfig.__dataclass_fields__)
    unknown = sorted(set(values) - fields)
    if unknown:
        raise ConfigError(f"unknown settings for {name}: {', '.join(k.upper() for k in unknown)}")
    return ProviderConfig(name=name, **values)


SETTINGS = (
    "preset",
    "issuer",
    "client_id",
    "client_secret",
    "scopes",
    "label",
    "label_fi",
    "label_sv",
    "email_claims",
    "name_claims",
    "unit_claim",
    "unit_map",
    "role_claim",
    "role_map",
    "claim_format",
    "create_users",
    "update_roles",
    "userinfo",
    "logout",
)


def providers_from_environment(environ: Mapping[str, str] | None = None) -> list[ProviderConfig]:
    environ = os.environ if environ is None else environ
    names = [n.strip() for n in environ.get("PDSERVICE_OIDC_PROVIDERS", "").split(",")]
    providers = []
    for name in filter(None, names):
        prefix = f"PDSERVICE_OIDC_{name.upper()}_"
        settings = {
            key: environ[prefix + key.upper()]
            for key in SETTINGS
            if prefix + key.upper() in environ
        }
        providers.append(provider_from_settings(name, settings))
    return check_providers(providers)


def check_providers(providers: list[ProviderConfig]) -> list[ProviderConfig]:
    seen: set[str] = set()
    for provider in providers:
        if provider.name in seen:
            raise ConfigError(f"OpenID provider {provider.name!r} is configured twice")
        seen.add(provider.name)
    return providers


def configured_providers(config: Mapping[str, Any]) -> list[ProviderConfig]:
    """The app's providers: `OIDC_PROVIDERS` holds ProviderConfigs or dicts of settings
    (with a `name`), as tests and `create_app(config=...)` give them."""
    providers = []
    for item in config.get("OIDC_PROVIDERS") or ():
        if isinstance(item, ProviderConfig):
            providers.append(item)
        else:
            settings = dict(item)
            providers.append(provider_from_settings(settings.pop("name"), settings))
    return check_providers(providers)


def with_changes(provider: ProviderConfig, **changes: Any) -> ProviderConfig:
    return replace(provider, **changes)
