"""The training record pages: my training with overdue work in words, the trainer's links, a supervisor's
team, a person's record hidden (404) outside the reader's scope, the matrix refused (403) to an agent, and the
effectiveness page saying it shows an association."""

import datetime as dt

import pytest
from django.utils import timezone

from charter.accounts.models import Team, User
from charter.accounts.tiles import desk_tiles
from tests.conftest import client_for
from tests.training.factories import published_course, staff_member, supervisor_of, team_make, trainer_user
from tests.training.records_fixtures import assignment_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotline() -> Team:
    return team_make(code="hotline")


@pytest.fixture
def li(hotline: Team) -> User:
    return staff_member(team=hotline, username="li.agent")


@pytest.fixture
def supervisor(hotline: Team) -> User:
    return supervisor_of(hotline, username="wang.supervisor")


def test_home_shows_overdue_work_in_words_first(li: User) -> None:
    today = timezone.localdate()
    course = published_course(title_zh="投诉处理规范").course
    assignment_make(person=li, course=course, due_on=today - dt.timedelta(days=2))
    response = client_for(li).get("/desk/training/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="overdue-alert"' in page
    assert "投诉处理规范" in page
    # An agent's links are the pages he may open (the course list), never the matrix or effectiveness.
    assert 'href="/desk/training/matrix/"' not in page
    assert 'href="/desk/training/effectiveness/"' not in page
    assert 'href="/desk/training/"' in page  # the desk nav entry


def test_a_trainer_sees_links_to_the_pages_that_exist(li: User) -> None:
    page = client_for(trainer_user()).get("/desk/training/").content.decode()
    assert 'href="/desk/training/matrix/"' in page
    assert 'href="/desk/training/effectiveness/"' in page


def test_a_supervisor_sees_his_teams_overdue_work_and_records(li: User, supervisor: User) -> None:
    today = timezone.localdate()
    assignment_make(person=li, course=published_course().course, due_on=today - dt.timedelta(days=1))
    outsider = staff_member(username="zhao.agent")
    client = client_for(supervisor)
    page = client.get("/desk/training/").content.decode()
    assert 'data-testid="team-overdue"' in page
    assert f"/desk/training/people/{li.pk}/" in page
    assert client.get(f"/desk/training/people/{li.pk}/").status_code == 200
    assert client.get(f"/desk/training/people/{outsider.pk}/").status_code == 404
    assert client.get("/desk/training/matrix/").status_code == 200
    assert client.get("/desk/training/effectiveness/").status_code == 403
    tiles = {tile.key: tile.count for tile in desk_tiles.collect(supervisor)}
    assert tiles.get("training-team-overdue") == 1


def test_an_agent_is_refused_the_matrix_and_others_records(li: User) -> None:
    teammate = staff_member(team=li.memberships.get().team)
    client = client_for(li)
    assert client.get("/desk/training/matrix/").status_code == 403
    assert client.get("/desk/training/matrix/", {"format": "csv"}).status_code == 403
    assert client.get(f"/desk/training/people/{teammate.pk}/").status_code == 404
    assert client.get(f"/desk/training/people/{li.pk}/").status_code == 200


def test_the_desk_tile_counts_my_training_due(li: User) -> None:
    assignment_make(person=li, course=published_course().course, due_on=timezone.localdate())
    tiles = {tile.key: tile.count for tile in desk_tiles.collect(li)}
    assert tiles.get("training-due") == 1


def test_effectiveness_page_says_it_is_an_association(li: User) -> None:
    course = published_course().course
    response = client_for(trainer_user()).get("/desk/training/effectiveness/", {"course": course.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="association-note"' in page
    assert 'data-testid="effectiveness"' in page


def test_the_matrix_page_shows_states_in_words(li: User, supervisor: User) -> None:
    assignment_make(
        person=li, course=published_course().course, due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    page = client_for(supervisor).get("/desk/training/matrix/").content.decode()
    assert 'data-state="overdue"' in page


def test_the_record_links_the_persons_certificates_for_his_supervisor(li: User, supervisor: User) -> None:
    from django.urls import NoReverseMatch, reverse

    from tests.training.records_fixtures import at, certificate_make, completion_make

    done = completion_make(
        person=li, version=published_course(issues_certificate=True), completed_at=at(timezone.localdate())
    )
    certificate_make(completion=done, issued_on=timezone.localdate(), expires_on=None)
    try:
        url = reverse("training:certificate_list", args=[li.pk])
    except NoReverseMatch:  # the certificates area's page is not there yet
        pytest.skip("no certificate list page")
    page = client_for(supervisor).get(f"/desk/training/people/{li.pk}/").content.decode()
    assert f'href="{url}"' in page


def test_the_desk_home_shows_the_training_tile(li: User) -> None:
    from django.urls import reverse

    assignment_make(
        person=li, course=published_course().course, due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    page = client_for(li).get(reverse("accounts:desk")).content.decode()
    assert "tile-training-due" in page
