"""The desk home's corrective action tile: the items a person owns that are due, linking to the actions
holding them."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from charter.accounts.models import User
from charter.accounts.tiles import desk_tiles
from charter.improvement.services import action_item_add, action_item_complete
from tests.conftest import client_for
from tests.improvement.conftest import open_cluster_action

pytestmark = pytest.mark.django_db


def test_my_items_due_today_or_overdue_are_counted_and_their_actions_listed(
    frozen: Any, supervisor: User, member: User, teammate: User
) -> None:
    today = timezone.localdate()
    action = open_cluster_action(supervisor, supervisor, [], title="抄表复核")
    other = open_cluster_action(supervisor, supervisor, [], title="话术培训")
    later = open_cluster_action(supervisor, supervisor, [], title="以后再说")
    action_item_add(actor=supervisor, action=action, description="补抄", owner=member, due_on=today)
    action_item_add(
        actor=supervisor, action=other, description="培训", owner=member, due_on=today - dt.timedelta(1)
    )
    action_item_add(
        actor=supervisor, action=later, description="下月", owner=member, due_on=today + dt.timedelta(1)
    )
    action_item_add(actor=supervisor, action=later, description="别人的", owner=teammate, due_on=today)
    done = action_item_add(actor=supervisor, action=later, description="做完", owner=member, due_on=today)
    action_item_complete(actor=member, item=done)

    tile = {tile.key: tile for tile in desk_tiles.collect(member)}["action-items-due"]

    assert tile.count == 2
    page = client_for(member).get(tile.url).content.decode()
    assert "抄表复核" in page and "话术培训" in page
    assert "以后再说" not in page
