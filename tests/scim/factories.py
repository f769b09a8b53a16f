"""Fixtures for provisioning tests: a token, and scim2-client speaking to the app."""

from __future__ import annotations

import pytest
from scim2_client.engines.wsgi import WSGISCIMClient

from pdservice.extensions import db
from pdservice.scim.tokens import create_token


@pytest.fixture
def scim_token(app) -> str:
    with app.app_context():
        _row, token = create_token("Entra ID", None)
        db.session.commit()
    return token


@pytest.fixture
def scim_client(app, scim_token):
    """scim2-client over the app's WSGI interface, which learns the service from its
    discovery documents (ServiceProviderConfig, ResourceTypes, Schemas)."""
    client = WSGISCIMClient(
        app,
        base_url="http://localhost/scim/v2",
        headers={"Authorization": f"Bearer {scim_token}"},
    )
    client.discover()
    return client


@pytest.fixture
def scim_http(client, scim_token):
    """Raw requests to the endpoint (for bodies no client library would send)."""

    class Raw:
        headers = {
            "Authorization": f"Bearer {scim_token}",
            "Content-Type": "application/scim+json",
        }

        def __getattr__(self, method):
            def call(path, **kwargs):
                headers = {**self.headers, **kwargs.pop("headers", {})}
                return getattr(client, method)("/scim/v2" + path, headers=headers, **kwargs)

            return call

    return Raw()
