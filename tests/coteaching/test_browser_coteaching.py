"""In a real browser, with a real jobs process: the principal imports a timetable, starts a
run, waits for it, accepts a proposal and publishes; the teacher then sees the co-teaching
lesson in their own timetable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from pdservice.core.enums import Profession
from pdservice.coteaching.models import Proposal
from pdservice.extensions import db
from tests.factories import PASSWORD
from tests.timetable.factories import TINY_CSV

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def jobs_process(app, database_url, tmp_path):
    """`flask jobs run` against the test database, looking for queued runs every second."""
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        PDSERVICE_ENV="testing",
        SECRET_KEY="test-secret",
        PDSERVICE_COTEACH_POLL_SECONDS="1",
        PDSERVICE_COTEACH_HEARTBEAT_SECONDS="0.5",
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path / "jobs.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "pdservice", "jobs", "run"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def open_menu(page, name: str) -> None:
    """Open a group of the main navigation (a disclosure menu)."""
    page.get_by_role("navigation").locator("summary", has_text=name).click()


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Sähköposti").fill(email)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url("**/home")


def test_principal_plans_and_publishes_and_the_teacher_sees_it(
    app, page, world, make_user, tmp_path, jobs_process
):
    make_user("Bea Class", units=[world.unit_a], email="bea.class@example.org")
    make_user(
        "Sam Special",
        units=[world.unit_a],
        email="sam.special@example.org",
        profession=Profession.SPECIAL_NEEDS_TEACHER,
    )
    week_file = tmp_path / "week.csv"
    week_file.write_text(TINY_CSV, encoding="utf-8")

    # The principal imports the timetable into a new term.
    sign_in(page, world.principal.email)
    open_menu(page, "Co-teaching")
    page.get_by_role("link", name="Timetables").click()
    page.get_by_role("link", name="Import a timetable").click()
    page.get_by_label("Timetable file (CSV or XHSTT .xml)").set_input_files(str(week_file))
    page.get_by_label("Term", exact=True).select_option("new")
    page.get_by_label("Name of the new term").fill("Autumn 2025")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Timetable imported: 9 lessons of 2 groups")).to_be_visible()

    # ...starts a run and waits for it on the run page (which polls the status).
    open_menu(page, "Co-teaching")
    page.get_by_role("navigation").get_by_role("link", name="Co-teaching", exact=True).click()
    page.get_by_role("link", name="Solve runs and publishing").click()
    page.get_by_role("link", name="Start a new run").click()
    page.get_by_label("Time limit (seconds)").fill("3")
    page.get_by_role("button", name="Start the run").click()
    expect(page.get_by_role("heading", name="Solve run")).to_be_visible()
    review = page.get_by_role("link", name="Review the proposals")
    expect(review).to_be_visible()

    # ...accepts the first proposed pair and publishes.
    review.click()
    page.get_by_role("button", name="Accept the pair").first.click()
    expect(page.get_by_text("accepted").first).to_be_visible()
    page.get_by_role("button", name="Publish the accepted plan").click()
    expect(page.get_by_text("Published:")).to_be_visible()

    with app.app_context():
        proposal = db.session.scalars(sa.select(Proposal).order_by(Proposal.rank)).first()
        coteacher = proposal.lessons[0].coteacher
        email, group = coteacher.email, proposal.lessons[0].lesson.group_codes
        db.session.remove()

    # The co-teacher signs in and finds the lesson in their own week, marked in words.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, email)
    open_menu(page, "My work")
    page.get_by_role("link", name="My timetable").click()
    cell = page.locator("li.entry-coteaching").first
    expect(cell).to_contain_text("Co-teaching")
    expect(cell).to_contain_text(group)
    expect(cell).to_contain_text("you join the lesson")
