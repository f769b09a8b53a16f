"""WCAG 2.1 AA checks with axe-core in a real browser, on the demo city's main pages for each
role: no serious or critical violations (contrast, names, labels, landmarks, ARIA...)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    # Only the violations are read: axe then skips detailing every rule that passed, which
    # is most of its time on a large page.
    "resultTypes": ["violations"],
}

PAGES = {
    "teacher": [
        "/home",
        "/account",
        "/competences/",
        "/competences/plan",
        "/training/",
        "/training/my",
        "/hours/",
        "/hours/external/new",
        "/timetable/mine",
        "/coteaching/",
        "/coteaching/mine",
        "/teams/",
    ],
    "principal": [
        "/home",
        "/competences/units",
        "/competences/plans",
        "/training/approvals",
        "/reports/hours",
        "/reports/veso",
        "/hours/external/review",
        "/timetable/",
        "/coteaching/",
        "/teams/",
        "/strategy/",
    ],
    "hr": [
        "/home",
        "/training/manage",
        "/training/courses/new",
        "/reports/hours",
        "/reports/hours?group=unit",
        "/reports/veso",
        "/reports/training",
        "/reports/competences",
        "/reports/feedback",
        "/strategy/",
        "/strategy/units",
        "/strategy/targets",
    ],
    "admin": [
        "/home",
        "/admin/users",
        "/admin/users/new",
        "/admin/units",
        "/admin/audit",
        "/admin/import",
        "/notifications/outbox",
    ],
}


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/home")


@pytest.fixture
def demo_accounts(demo_city):
    by_role = {}
    for account in demo_city.accounts:
        if account["unit"] in (None, "koivurinne"):
            by_role.setdefault(account["role"], account["email"])
    return by_role


def serious_violations(page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} {[n['target'] for n in violation['nodes'][:3]]}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("role", PAGES)
def test_main_pages_have_no_serious_accessibility_violations(app, page, demo_accounts, role):
    problems = []
    sign_in(page, demo_accounts[role], app.config["DEMO_PASSWORD"])
    for path in PAGES[role]:
        response = page.goto(path)
        assert response.status == 200, f"{role} {path}: {response.status}"
        problems.extend(f"{role} {path}: {problem}" for problem in serious_violations(page))
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_serious_violation(page):
    """The options above still report what they must: an image without a text alternative
    and a field without a label."""
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main>'
        '<img src="/static/none.png"><input type="text"></main></body></html>'
    )
    found = {problem.split()[0] for problem in serious_violations(page)}
    assert {"image-alt", "label"} <= found
