"""Fixtures of the sign-in tests: the real OpenID provider (one per test process), a client
registered at it for each test, and the app configured to use it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.oidc.provider import OidcTestProvider, ProviderBrowser

_accounts = itertools.count(1)


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcTestProvider]:
    provider = OidcTestProvider()
    yield provider
    provider.stop()


class OidcSetup:
    """The app's provider `city`, registered at the test provider."""

    def __init__(self, app, provider: OidcTestProvider, base_url: str) -> None:
        self.app = app
        self.provider = provider
        self.base_url = base_url
        self.client_id, self.client_secret = provider.register_client(
            [f"{base_url}/auth/oidc/city/callback"],
            [f"{base_url}/auth/oidc/signed-out"],
        )
        self.configure()

    def configure(self, **settings) -> None:
        self.app.config["OIDC_PROVIDERS"] = [
            {
                "name": "city",
                "preset": "entra",
                "issuer": self.provider.issuer,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "unit_claim": "groups",
                "unit_map": {"grp-koivurinne": "koivurinne", "grp-lehtola": "lehtola"},
                **settings,
            }
        ]

    def person(self, email: str | None = None, password: str = "provider-password", **claims):
        """A person at the provider; returns their login (also their `sub`)."""
        login = f"person{next(_accounts)}@idp.test"
        if email is not None:
            claims.setdefault("email", email)
            claims.setdefault("email_verified", True)
        claims.setdefault("name", "Test Person")
        self.provider.add_account(login, password, **claims)
        return login


@pytest.fixture
def oidc(app, oidc_provider) -> Iterator[OidcSetup]:
    setup = OidcSetup(app, oidc_provider, "http://localhost")
    yield setup
    app.config["OIDC_PROVIDERS"] = []


@pytest.fixture
def provider_browser(oidc_provider) -> ProviderBrowser:
    return ProviderBrowser(oidc_provider)


@pytest.fixture
def sign_in_with_provider(client, provider_browser):
    """Run the whole flow with the test client: our login URL, the provider's sign-in page,
    back to our callback. Returns the callback's response."""

    def run(login: str, password: str = "provider-password", *, start="/auth/oidc/city/login"):
        start_response = client.get(start)
        assert start_response.status_code == 302, start_response.get_data(as_text=True)
        back = provider_browser.sign_in(start_response.headers["Location"], login, password)
        assert back.startswith("http://localhost/"), back
        return client.get(back.removeprefix("http://localhost"))

    return run
