"""The team scorecards as a file: every scorecard of the lead's team for the chosen cycle (his own is not
among them, as on the page), with the rank the page shows, audited."""

from typing import Any

import pytest
from django.urls import reverse

from tests.assessment.test_cycles import World, _published
from tests.assessment.test_views_scorecards import world  # noqa: F401 (a fixture)
from tests.common.list_export_helpers import export_events, xlsx_rows
from tests.conftest import client_for


@pytest.fixture(autouse=True)
def organisation_zone(settings: Any) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"


def test_team_scorecards_export_has_the_leads_team_for_the_cycle(world: World) -> None:  # noqa: F811
    cycle = _published(world)

    rows = xlsx_rows(
        client_for(world.lead).get(
            reverse("assessment:team_scorecards"), {"cycle": str(cycle.pk), "format": "xlsx"}
        )
    )

    assert sorted(row[0] for row in rows[1:]) == sorted(str(agent) for agent in world.agents)
    assert rows[0][-1] == "班组排名"
    [event] = export_events("assessment.team_scorecards")
    assert event.data["filters"] == {"cycle": cycle.pk} and event.data["rows"] == 3
    assert (
        client_for(world.agents[0]).get(reverse("assessment:team_scorecards"), {"format": "csv"}).status_code
        == 403
    )
