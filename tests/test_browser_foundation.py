"""In a real browser: the demo principal signs in, sees the home page in Finnish, and switches
to Swedish and English; keyboard users find the skip link first."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_principal_signs_in_and_switches_language(app, page, demo_city):
    accounts = demo_city.accounts
    principal = next(a for a in accounts if a["role"] == "principal" and a["unit"] == "koivurinne")

    page.goto("/login")
    assert page.locator("html").get_attribute("lang") == "fi"
    page.get_by_label("Sähköposti").fill(principal["email"])
    page.get_by_label("Salasana").fill(app.config["DEMO_PASSWORD"])
    page.get_by_role("button", name="Kirjaudu sisään").click()

    page.wait_for_url("**/home")
    assert page.get_by_role("heading", name="Johtamasi yksiköt").is_visible()
    assert page.get_by_role("link", name="Koivurinteen koulu").first.is_visible()

    page.get_by_label("Kieli").select_option("sv")
    expect(page.get_by_role("heading", name="Enheter du leder")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "sv"

    page.get_by_label("Språk").select_option("en")
    expect(page.get_by_role("heading", name="The units you lead")).to_be_visible()


def test_skip_link_is_the_first_stop_for_keyboard_users(page):
    page.goto("/login")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Siirry sisältöön"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
