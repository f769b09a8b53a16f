"""Fixtures for tests that drive a real headless Chromium (Debian's `chromium`) with Playwright.

`live_server` serves the test app on a free local port in a thread; `page` is a fresh browser
page. Without /usr/bin/chromium the browser tests are skipped, unless
PDSERVICE_REQUIRE_BROWSER=1 (as in `.ci/run`), which makes a missing browser a failure.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

HANG_GUARD_MS = 120_000
CHROMIUM = os.environ.get("PDSERVICE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def browser():
    if not _chromium_available():
        if os.environ.get("PDSERVICE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required for browser tests but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app) -> None:
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(10)


@pytest.fixture
def live_server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def page(browser, live_server):
    from playwright.sync_api import expect

    context = browser.new_context(locale="fi-FI", base_url=live_server.url)
    # Playwright waits for events (a navigation, an element showing up), never for a fixed
    # time; its timeouts only guard against a hang, so they are generous enough for a machine
    # busy with other work.
    context.set_default_timeout(HANG_GUARD_MS)
    expect.set_options(timeout=HANG_GUARD_MS)
    page = context.new_page()
    yield page
    context.close()
