"""The main navigation: grouped menus by role, each item only for the roles it serves."""

import re

import pytest

from pdservice.nav import GROUPS, add_nav_item, entries_for


def menu(client) -> str:
    html = client.get("/home").get_data(as_text=True)
    return html[html.index('<nav class="main-nav"') : html.index("</nav>")]


def test_teacher_sees_own_work_training_and_coteaching_but_no_reports(client, world, login):
    login(world.teacher)
    nav = menu(client)
    summaries = re.findall(r"<summary[^>]*>([^<]+)</summary>", nav)
    assert summaries == ["My work", "Co-teaching"]
    assert ">Training</a>" in nav  # one item only: a plain link named after the group
    assert "Reports" not in nav and "Administration" not in nav and "Hours report" not in nav


@pytest.mark.parametrize(
    "role, present, absent",
    [
        ("principal", ["Reports", "Timetables", "Approvals"], ["Administration"]),
        ("hr", ["Reports", "Courses"], ["Administration", "Timetables"]),
        ("admin", ["Administration", "Change log", "Outbox", "Users"], []),
    ],
)
def test_menus_by_role(client, world, login, role, present, absent):
    login(world.user(role))
    nav = menu(client)
    for text in present:
        assert text in nav, text
    for text in absent:
        assert text not in nav, text


def test_current_page_is_marked(client, world, login):
    login(world.teacher)
    html = client.get("/hours/").get_data(as_text=True)
    assert 'href="/hours/"\n                     aria-current="page"' in html or (
        re.search(r'href="/hours/"\s+aria-current="page"', html)
    )
    assert '<summary class="current">My work</summary>' in html


def test_unknown_group_is_refused(app):
    with pytest.raises(ValueError, match="unknown navigation group"):
        add_nav_item(app, "main.home", "x", set(), group="nonsense")


def test_every_registered_item_belongs_to_a_known_group_or_none(app):
    for item in app.extensions["pdservice_nav"]:
        assert item.group is None or item.group in GROUPS


def test_entries_are_ordered_and_grouped(app):
    from pdservice.core.enums import Role

    with app.test_request_context("/home"):
        entries = entries_for(app, {Role.TEACHER, Role.PRINCIPAL})
        orders = [e.order for e in entries]
        assert orders == sorted(orders)
        keys = [e.key for e in entries if e.key]
        assert len(keys) == len(set(keys))
