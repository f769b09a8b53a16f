"""Signing in with an OpenID provider (Authorization Code flow with PKCE), connecting a
provider account to one's own, and signing out of the provider too (RP-initiated logout)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)

from pdservice.core.services import audit
from pdservice.extensions import db
from pdservice.i18n import current_language
from pdservice.oidc.claims import identity_from_claims
from pdservice.oidc.clients import client, provider
from pdservice.oidc.config import ProviderConfig
from pdservice.oidc.services import SignInRefused, find_link, link_account, person_for

bp = Blueprint("oidc", __name__)

# What the browser carries between the redirect to the provider and the way back.
NEXT_KEY = "oidc_next"
CONNECT_KEY = "oidc_connect"


def _provider_or_404(name: str) -> ProviderConfig:
    config = provider(name)
    if config is None:
        abort(404)
    return config


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/<name>/login")
def login(name: str):
    config = _provider_or_404(name)
    session[NEXT_KEY] = _safe_next(request.args.get("next"))
    session.pop(CONNECT_KEY, None)
    return _authorize(config)


@bp.route("/<name>/connect")
@login_required
def connect(name: str):
    """Connect a provider account to the signed-in person (MPASSid gives no e-mail address,
    so a person connects it once, from the account page)."""
    config = _provider_or_404(name)
    session[CONNECT_KEY] = current_user.id
    session[NEXT_KEY] = url_for("main.account") + "#sign-in-methods"
    return _authorize(config, prompt="login")


def _authorize(config: ProviderConfig, **extra: Any):
    redirect_uri = url_for("oidc.callback", name=config.name, _external=True)
    try:
        return client(config).authorize_redirect(redirect_uri, **extra)
    except (requests.RequestException, ValueError, RuntimeError) as exc:
        return _refused(
            config,
            SignInRefused(
                503,
                "temporarily_unavailable",
                _("The sign-in service cannot be reached just now. Please try again soon."),
                f"discovery or authorization request failed: {exc}",
            ),
        )


@bp.route("/<name>/callback")
def callback(name: str):
    config = _provider_or_404(name)
    try:
        claims, token = _checked_claims(config)
        identity = identity_from_claims(config, claims)
        connecting = session.pop(CONNECT_KEY, None)
        if connecting is not None:
            return _connected(config, identity.subject, connecting)
        user = person_for(config, identity)
    except SignInRefused as refusal:
        db.session.rollback()
        return _refused(config, refusal)
    _sign_in(user, config, token)
    audit("user.signed_in", user, changes={"method": f"oidc:{config.name}"})
    db.session.commit()
    current_app.logger.info("OIDC %s: person %s signed in", config.name, user.id)
    return redirect(session.pop(NEXT_KEY, None) or url_for("main.home"))


def _checked_claims(config: ProviderConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    """The claims of a checked ID token (and of userinfo, when configured)."""
    issuer = request.args.get("iss")
    if issuer is not None and issuer.rstrip("/") != config.issuer.rstrip("/"):
        # RFC 9207: the answer names another issuer (a mix-up attack).
        raise SignInRefused(
            400, "invalid_request", _("The sign-in could not be checked."), f"iss {issuer!r}"
        )
    oauth = client(config)
    try:
        # The audience must be this client (OpenID Connect Core 3.1.3.7, step 3); Authlib
        # checks only `azp` unless told.
        metadata = oauth.load_server_metadata()
        token = oauth.authorize_access_token(
            claims_options={
                "iss": {"essential": True, "values": [metadata.get("issuer", config.issuer)]},
                "aud": {"essential": True, "values": [config.client_id]},
            }
        )
    except MismatchingStateError as exc:
        raise _invalid("invalid_request", 400, f"state missing or used before ({exc})") from exc
    except OAuthError as exc:
        if exc.error == "access_denied":
            raise SignInRefused(
                403,
                "access_denied",
                _("The sign-in was cancelled at the identity provider."),
                f"provider answered access_denied: {exc.description}",
            ) from exc
        raise _invalid(exc.error or "invalid_request", 400, str(exc)) from exc
    except ExpiredTokenError as exc:
        raise _invalid("invalid_token", 401, f"ID token expired ({exc})") from exc
    except BadSignatureError as exc:
        raise _invalid("invalid_token", 401, f"ID token signature invalid ({exc})") from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        raise _invalid("invalid_token", 401, f"ID token claim refused: {exc}") from exc
    except (JoseError, AuthlibBaseError, ValueError) as exc:
        raise _invalid(
            "invalid_token", 401, f"ID token refused: {type(exc).__name__} {exc}"
        ) from exc
    except requests.RequestException as exc:
        raise SignInRefused(
            503,
            "temporarily_unavailable",
            _("The sign-in service cannot be reached just now. Please try again soon."),
            f"token request failed: {exc}",
        ) from exc
    claims = token.get("userinfo")
    if not claims:
        raise _invalid("invalid_token", 401, "no ID token in the token response")
    claims = dict(claims)
    if config.userinfo:
        try:
            extra = dict(oauth.userinfo(token=token))
        except (requests.RequestException, AuthlibBaseError, KeyError) as exc:
            raise _invalid("invalid_token", 401, f"userinfo request failed: {exc}") from exc
        if extra.get("sub") != claims.get("sub"):
            raise _invalid("invalid_token", 401, "userinfo is about another subject")
        claims = {**extra, **claims}
    return claims, token


def _invalid(error: str, status: int, detail: str) -> SignInRefused:
    return SignInRefused(
        status, error, _("The sign-in could not be checked. Please try again."), detail
    )


def _refused(config: ProviderConfig, refusal: SignInRefused):
    current_app.logger.warning(
        "OIDC %s: refused the sign-in (%s %s): %s",
        config.name,
        refusal.status,
        refusal.error,
        refusal.detail,
    )
    return (
        render_template(
            "oidc/refused.html", refusal=refusal, provider_label=config.label(current_language())
        ),
        refusal.status,
    )


def _connected(config: ProviderConfig, subject: str, user_id: int):
    if not current_user.is_authenticated or current_user.id != user_id:
        raise SignInRefused(
            400,
            "invalid_request",
            _("Sign in again to connect the account."),
            "connect: other person",
        )
    other = find_link(config, subject)
    if other is not None and other.user_id != user_id:
        raise SignInRefused(
            409,
            "access_denied",
            _("That account is already connected to another person in this service."),
            f"subject {subject} belongs to person {other.user_id}",
        )
    link_account(current_user._get_current_object(), config, subject, how="account page")
    db.session.commit()
    flash(
        _(
            "%(provider)s is now connected to your account.",
            provider=config.label(current_language()),
        ),
        "success",
    )
    return redirect(session.pop(NEXT_KEY, None) or url_for("main.account"))


def _sign_in(user, config: ProviderConfig, token: dict[str, Any]) -> None:
    login_user(user)
