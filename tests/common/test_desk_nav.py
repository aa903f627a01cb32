"""The desk's navigation offers each role its own pages of quality, conduct and corrective action, and
nothing it may not open."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from charter.accounts.demo import demo_load
from charter.accounts.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _nav(user: User) -> str:
    page = client_for(user).get("/desk/").content.decode()
    start = page.index('<nav class="desk-nav"')
    return page[start : page.index("</nav>", start)]


def test_an_agent_sees_his_own_results_and_record_but_no_one_elses(member: User) -> None:
    nav = _nav(member)

    for own in ("/desk/quality/my-reviews/", "/desk/conduct/my-record/", "/desk/improvement/actions/"):
        assert own in nav
    for others in ("/desk/conduct/violations/", "/desk/quality/reviews/queue/", "/desk/conduct/ladder/"):
        assert others not in nav
    assert "质量与行为规范" in nav


def test_a_supervisor_records_violations_and_reviews_his_team(supervisor: User) -> None:
    nav = _nav(supervisor)

    for page in ("/desk/conduct/violations/", "/desk/quality/reviews/queue/", "/desk/improvement/clusters/"):
        assert page in nav
    assert "/desk/conduct/ladder/" not in nav


def test_an_administrator_configures_scorecards_and_the_ladder(administrator: User) -> None:
    nav = _nav(administrator)

    for page in ("/desk/quality/scorecards/", "/desk/quality/sampling/", "/desk/conduct/ladder/"):
        assert page in nav


# Every role of the demo, built as the demo builds it: each link its nav shows opens, each it leaves out is
# refused, so the menu and the pages cannot disagree. -----------------------------------------------------

DEMO_STAFF = ("admin", "wang.supervisor", "li.agent", "sun.qa", "zhou.trainer")
# A link shown instead of another: the reply check findings replace "my reply checks" for those who see all.
SHOWN_INSTEAD = {"quality:my_finding_list": "quality:finding_list"}


def _nav_names() -> list[str]:
    source = Path(settings.BASE_DIR, "charter", "templates", "desk_base.html").read_text(encoding="utf-8")
    return re.findall(r'{% navlink "([a-z_]+:[a-z_]+)" %}', source)


@pytest.fixture
def demo_staff(db: None) -> dict[str, User]:
    demo_load()
    return {user.username: user for user in User.objects.filter(username__in=DEMO_STAFF)}


@pytest.mark.parametrize("username", DEMO_STAFF)
def test_each_demo_role_opens_every_link_of_its_nav_and_no_link_is_missing(
    demo_staff: dict[str, User], username: str
) -> None:
    client = client_for(demo_staff[username])
    nav = _nav_of(client)
    hrefs = re.findall(r'href="([^"]+)"', nav)

    assert hrefs, nav
    for href in hrefs:
        assert client.get(href).status_code == 200, href
    for name in _nav_names():
        url = reverse(name)
        if url in hrefs or reverse_or_none(SHOWN_INSTEAD.get(name)) in hrefs:
            continue
        assert client.get(url).status_code == 403, f"{username} may open {url} but the nav leaves it out"


def test_the_qa_reviewer_reviews_through_his_queue_and_gets_no_link_to_the_case_queue(
    demo_staff: dict[str, User],
) -> None:
    client = client_for(demo_staff["sun.qa"])
    nav = _nav_of(client)

    assert "/desk/quality/reviews/queue/" in nav
    assert 'href="/desk/cases/"' not in nav
    assert client.get("/desk/cases/").status_code == 403


def test_the_current_page_is_marked_in_the_nav(member: User) -> None:
    client = client_for(member)

    nav = _nav_of(client, "/desk/conduct/my-record/")

    assert '<a href="/desk/conduct/my-record/" aria-current="page">' in nav
    assert nav.count("aria-current") == 1


def _nav_of(client: Client, url: str = "/desk/") -> str:
    page = client.get(url).content.decode()
    start = page.index('<nav class="desk-nav"')
    return page[start : page.index("</nav>", start)]


def reverse_or_none(name: str | None) -> str | None:
    return reverse(name) if name else None
