"""Authlib clients of the configured providers, and the checks of a provider's answer.

Authlib does the protocol: discovery, the authorization request with `state`, `nonce` and a
PKCE code challenge (S256), the code exchange, and the ID token's signature (the provider's
keys), issuer, audience, expiry and nonce. The clients are built once per configuration.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

from pdservice.oidc.config import ProviderConfig, configured_providers

EXTENSION_KEY = "pdservice_oidc"
HTTP_TIMEOUT_SECONDS = 10


def providers(app: Flask | None = None) -> list[ProviderConfig]:
    return configured_providers((app or current_app).config)


def provider(name: str) -> ProviderConfig | None:
    return next((p for p in providers() if p.name == name), None)


def client(config: ProviderConfig) -> Any:
    """The Authlib client of a provider (rebuilt when the configuration changes)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = tuple(providers(app))
    state = app.extensions.get(EXTENSION_KEY)
    if state is None or state[0] != key:
        oauth = OAuth()
        oauth.init_app(app)
        for item in key:
            oauth.register(
                name=item.name,
                client_id=item.client_id,
                client_secret=item.client_secret,
                server_metadata_url=item.discovery_url,
                client_kwargs={
                    "scope": " ".join(item.scopes),
                    "code_challenge_method": "S256",
                    "timeout": HTTP_TIMEOUT_SECONDS,
                },
            )
        state = (key, oauth)
        app.extensions[EXTENSION_KEY] = state
    return state[1].create_client(config.name)
