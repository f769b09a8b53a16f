"""Bearer tokens of the provisioning endpoint.

An administrator makes a token on the provisioning page and pastes it into the identity
provider (Entra ID: "Secret token"). The token is shown once; only its SHA-256 digest is kept.
Several tokens may be valid at once, so a token is rotated by making a new one, giving it to
the provider, and revoking the old one. Making and revoking are in the change log; each use
updates "last used".

Tokens start with `pdscim_`: a token of another kind (an API token, an OpenID access token)
is told apart in the log, and refused like any unknown token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.exc
from flask import Request, Response, current_app, g, request
from scim2_models import Error

from pdservice.core.models import User
from pdservice.core.services import audit
from pdservice.db import SAFE_METHODS, utcnow
from pdservice.extensions import db
from pdservice.scim.models import ScimToken
from pdservice.scim.responses import error_response

PREFIX = "pdscim_"
LAST_USED_RESOLUTION = timedelta(minutes=5)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(name: str, created_by: User | None) -> tuple[ScimToken, str]:
    """A new token; returns the row and the token itself (show it once, store it nowhere)."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ScimToken(
        name=name.strip(),
        token_hash=digest(token),
        hint=token[: len(PREFIX) + 4],
        created_at=utcnow(),
        created_by_id=created_by.id if created_by else None,
    )
    db.session.add(row)
    db.session.flush()
    audit("scim.token_created", row, changes={"name": row.name, "hint": row.hint})
    return row, token


def revoke_token(row: ScimToken) -> bool:
    if row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    audit("scim.token_revoked", row, changes={"name": row.name, "hint": row.hint})
    db.session.flush()
    return True


def _unauthorized(detail: str, log: str, *args) -> Response:
    current_app.logger.warning(
        "SCIM: refused %s %s from %s " + log,
        request.method,
        request.path,
        request.remote_addr,
        *args,
    )
    response = error_response(Error(status=401, detail=detail))
    response.headers["WWW-Authenticate"] = 'Bearer realm="scim", error="invalid_token"'
    return response


def authenticate(request: Request) -> Response | None:
    """None when the request carries a valid token (kept in `g.scim_token`), else the 401."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return _unauthorized("a bearer token is required", "(no bearer token)")
    if not token.startswith(PREFIX):
        return _unauthorized(
            "this token is not a provisioning token",
            "(a token of another kind, not made for this endpoint)",
        )
    row = db.session.scalar(sa.select(ScimToken).where(ScimToken.token_hash == digest(token)))
    if row is None:
        return _unauthorized("the token is not valid", "(unknown token)")
    if row.revoked_at is not None:
        return _unauthorized("the token has been revoked", "(revoked token %s)", row.name)
    g.scim_token = row
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        if request.method in SAFE_METHODS:
            g.scim_token_used_at = now  # written after the answer (see `record_use`)
        else:
            row.last_used_at = now
    return None


def record_use() -> None:
    """After a reading request: note the token's use in a short transaction of its own (a
    reading transaction must not turn into a writing one on SQLite)."""
    used_at = g.pop("scim_token_used_at", None)
    token = g.get("scim_token")
    if used_at is None or token is None:
        return
    db.session.rollback()
    try:
        db.session.execute(
            sa.update(ScimToken).where(ScimToken.id == token.id).values(last_used_at=used_at)
        )
        db.session.commit()
    except sqlalchemy.exc.OperationalError:
        db.session.rollback()
        current_app.logger.warning("could not record the use of SCIM token %s", token.name)
