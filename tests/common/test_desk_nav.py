"""The desk's navigation offers each role its own pages of quality, conduct and corrective action, and
nothing it may not open."""

import pytest

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
