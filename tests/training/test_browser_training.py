"""In a real browser, in Finnish: a teacher finds a course, asks to take part with a reason,
the principal approves it from the approvals page, and the teacher sees the seat; every
control is found by its accessible name."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("Sähköposti").fill(email)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url("**/home")


def sign_out(page):
    page.get_by_role("button", name="Kirjaudu ulos").click()


def test_request_approval_and_seat(page, world, make_user, make_session):
    from pdservice.core.enums import UnitRole

    teacher = make_user("Aino Opettaja", units=[world.unit_a], preferred_language="fi")
    principal = make_user(
        "Reino Rehtori", units=[(world.unit_a, UnitRole.PRINCIPAL)], preferred_language="fi"
    )
    make_session(title="KiVa-tiimin koulutus", approval=True, areas=("SEL",), capacity=5)

    sign_in(page, teacher.email)
    page.get_by_role("link", name="Koulutus", exact=True).first.click()
    page.get_by_role("link", name="KiVa-tiimin koulutus").click()
    page.get_by_label("Miksi haluat osallistua?").fill("Koulumme KiVa-tiimi tarvitsee jäsenen.")
    page.get_by_role("button", name="Pyydä lupaa osallistua").click()
    expect(page.get_by_role("status")).to_contain_text("Pyyntösi lähetettiin rehtorillesi")
    expect(page.get_by_text("Odottaa hyväksyntää").first).to_be_visible()
    sign_out(page)

    sign_in(page, principal.email)
    expect(page.get_by_role("link", name="1 koulutuspyyntöä")).to_be_visible()
    page.get_by_role("link", name="1 koulutuspyyntöä").click()
    row = page.get_by_role("row", name="Aino Opettaja")
    row.get_by_label("Kommentti").fill("Hyvä, onnea!")
    row.get_by_role("button", name="Hyväksy").click()
    expect(page.get_by_role("status")).to_contain_text("Hyväksytty: Aino Opettaja")
    sign_out(page)

    sign_in(page, teacher.email)
    page.goto("/training/my")
    expect(page.get_by_role("row", name="KiVa-tiimin koulutus")).to_contain_text("Paikka varattu")
