"""Routes of sign-in with OpenID providers and of SCIM provisioning.

The SCIM endpoint knows no session: every role, an administrator too, gets 401 without a
provisioning token. The OpenID routes answer 404 for a provider that is not configured (the
test app has none)."""

import sqlalchemy as sa

from tests.access.rules import LOGIN, Rule, admin_only, statuses

SCIM = statuses(401, anon=401)


def _group(world):
    from pdservice.extensions import db
    from pdservice.scim.models import ScimGroup

    group = ScimGroup(display_name="A group")
    db.session.add(group)
    db.session.commit()
    return group.id


def _token(world):
    from pdservice.extensions import db
    from pdservice.scim.models import ScimToken
    from pdservice.scim.tokens import create_token

    row, _token = create_token("Entra ID", None)
    db.session.commit()
    return db.session.scalar(sa.select(ScimToken.id).where(ScimToken.id == row.id))


def _scim(endpoint, method, path, **kwargs):
    return Rule(endpoint, method, lambda w: "/scim/v2" + path, SCIM, **kwargs)


RULES = [
    _scim("scim.service_provider_config", "GET", "/ServiceProviderConfig"),
    _scim("scim.resource_types", "GET", "/ResourceTypes"),
    _scim("scim.resource_type", "GET", "/ResourceTypes/User"),
    _scim("scim.schemas", "GET", "/Schemas"),
    _scim("scim.schema", "GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"),
    _scim("scim.users", "GET", "/Users"),
    _scim("scim.users_search", "POST", "/Users/.search", data=lambda w: {}),
    _scim("scim.user_create", "POST", "/Users", data=lambda w: {}),
    _scim("scim.user", "GET", "/Users/1"),
    _scim("scim.user_replace", "PUT", "/Users/1", data=lambda w: {}),
    _scim("scim.user_patch", "PATCH", "/Users/1", data=lambda w: {}),
    _scim("scim.user_delete", "DELETE", "/Users/1"),
    _scim("scim.groups", "GET", "/Groups"),
    _scim("scim.groups_search", "POST", "/Groups/.search", data=lambda w: {}),
    _scim("scim.group_create", "POST", "/Groups", data=lambda w: {}),
    _scim("scim.group", "GET", "/Groups/1"),
    _scim("scim.group_replace", "PUT", "/Groups/1", data=lambda w: {}),
    _scim("scim.group_patch", "PATCH", "/Groups/1", data=lambda w: {}),
    _scim("scim.group_delete", "DELETE", "/Groups/1"),
    *(
        _scim("scim.unknown", method, "/Nothing", data=lambda w: {}, id=method.lower())
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
    ),
    Rule("oidc.login", "GET", lambda w: "/auth/oidc/city/login", statuses(404, anon=404)),
    Rule("oidc.callback", "GET", lambda w: "/auth/oidc/city/callback", statuses(404, anon=404)),
    Rule("oidc.connect", "GET", lambda w: "/auth/oidc/city/connect", statuses(404, anon=LOGIN)),
    Rule("provisioning.index", "GET", lambda w: "/admin/provisioning/", admin_only()),
    Rule(
        "provisioning.token_create",
        "POST",
        lambda w: "/admin/provisioning/tokens",
        admin_only(201),
        data=lambda w: {"name": "Entra ID"},
    ),
    Rule(
        "provisioning.token_revoke",
        "POST",
        lambda w: f"/admin/provisioning/tokens/{w.extra}/revoke",
        admin_only(302),
        setup=_token,
    ),
    Rule(
        "provisioning.group_map",
        "POST",
        lambda w: f"/admin/provisioning/groups/{w.extra}",
        admin_only(302),
        data=lambda w: {f"g{w.extra}-target": "hr"},
        setup=_group,
    ),
]
