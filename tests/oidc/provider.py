"""The tests' OpenID provider: `tests/oidc/provider/provider.mjs` (the `oidc-provider` npm
package) run by Node on a free loopback port, and a small client for its test controls.

`make test` installs its packages (`npm ci` in tests/oidc/provider); without them the tests
that need the provider fail and say so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urljoin

import requests

PROVIDER_DIR = Path(__file__).parent / "provider"
# A hang guard, not what any test measures: key generation and start-up take about a second.
START_TIMEOUT_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 30


class ProviderError(RuntimeError):
    pass


class OidcTestProvider:
    """A running provider process, with its issuer URL and test controls."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise ProviderError("Node.js is needed for the OpenID provider of the tests")
        if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
            raise ProviderError(
                "The test OpenID provider is not installed: run `make test`, or "
                "`npm ci --prefix tests/oidc/provider`"
            )
        self._process = subprocess.Popen(
            [node, "provider.mjs"],
            cwd=PROVIDER_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NODE_ENV": "test"},
        )
        self.issuer = self._wait_until_listening()
        # The provider's warnings go to stderr; read them so the pipe never fills.
        self._stderr = threading.Thread(target=self._process.stderr.read, daemon=True)
        self._stderr.start()

    def _wait_until_listening(self) -> str:
        result: list[str] = []
        reader = threading.Thread(
            target=lambda: result.append(self._process.stdout.readline()), daemon=True
        )
        reader.start()
        reader.join(START_TIMEOUT_SECONDS)
        line = result[0].strip() if result else ""
        if not line.startswith("listening "):
            self.stop()
            raise ProviderError(f"the test OpenID provider did not start: {line!r}")
        return line.split(" ", 1)[1]

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)

    # --- the provider's standard endpoints -------------------------------------------------
    @property
    def discovery_url(self) -> str:
        return urljoin(self.issuer + "/", ".well-known/openid-configuration")

    def register_client(
        self, redirect_uris: list[str], post_logout_redirect_uris: list[str] = ()
    ) -> tuple[str, str]:
        """A new confidential client (RFC 7591 dynamic registration): (client_id, secret)."""
        response = requests.post(
            self.issuer + "/reg",
            json={
                "redirect_uris": list(redirect_uris),
                "post_logout_redirect_uris": list(post_logout_redirect_uris),
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
                "application_type": "web",
            },
            timeout=HTTP_TIMEOUT_SECONDS,
        )
        if response.status_code != 201:
            raise ProviderError(f"client registration failed: {response.text}")
        body = response.json()
        return body["client_id"], body["client_secret"]

    # --- test controls -----------------------------------------------------------------------
    def add_account(self, login: str, password: str, **claims) -> None:
        """A person who can sign in with `login` and `password`; `sub` is the login."""
        self._post("/test/accounts", {"login": login, "password": password, "claims": claims})

    def tamper(self, mode: str) -> None:
        """Alter the ID token of the next token response (see provider.mjs)."""
        self._post("/test/tamper", {"mode": mode})

    def has_session(self, login: str) -> bool:
        response = requests.get(
            f"{self.issuer}/test/sessions/{login}", timeout=HTTP_TIMEOUT_SECONDS
        )
        return bool(response.json()["signedIn"])

    def _post(self, path: str, body: dict) -> None:
        response = requests.post(
            self.issuer + path,
            data=json.dumps(body),
            headers={"Content-Type": "application/json"},
            timeout=HTTP_TIMEOUT_SECONDS,
        )
        if response.status_code != 204:
            raise ProviderError(f"{path}: {response.status_code} {response.text}")


class ProviderBrowser:
    """A person's browser at the provider, for tests that drive our app with its test client:
    follows the authorization request to the sign-in page, signs in, and returns the
    redirect back to the service (the callback URL with `code` and `state`)."""

    def __init__(self, provider: OidcTestProvider) -> None:
        self.provider = provider
        self.http = requests.Session()

    def sign_in(self, authorization_url: str, login: str, password: str) -> str:
        first = self.http.get(
            authorization_url, allow_redirects=False, timeout=HTTP_TIMEOUT_SECONDS
        )
        location, page = self._follow(first)
        if location is not None:  # already signed in at the provider: straight back
            return location
        response = self.http.post(
            page.url + "/login",  # the sign-in page is /interaction/<uid>
            data={"login": login, "password": password},
            allow_redirects=False,
            timeout=HTTP_TIMEOUT_SECONDS,
        )
        if response.status_code == 401:
            raise ProviderError("the provider refused the password")
        location, page = self._follow(response)
        if location is None:
            raise ProviderError(f"the provider did not send the browser back: {page.text[:500]}")
        return location

    def _follow(self, response: requests.Response) -> tuple[str | None, requests.Response]:
        """Follow redirects within the provider: (the first location elsewhere, None) or
        (None, the page the provider shows)."""
        for _ in range(10):
            if response.status_code not in (302, 303):
                return None, response
            location = urljoin(response.url, response.headers["Location"])
            if not location.startswith(self.provider.issuer):
                return location, response
            response = self.http.get(location, allow_redirects=False, timeout=HTTP_TIMEOUT_SECONDS)
        raise ProviderError("too many redirects at the provider")

    def get(self, url: str) -> requests.Response:
        return self.http.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT_SECONDS)

    def post(self, url: str, data: dict) -> requests.Response:
        return self.http.post(url, data=data, allow_redirects=False, timeout=HTTP_TIMEOUT_SECONDS)
