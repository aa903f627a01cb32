"""The training matrix: the state of each person in each required course, the people a reader may see, a
bounded number of queries whatever the number of people, and exports that never run a title as a formula."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from charter.accounts.models import Team, User
from charter.audit.models import AuditEvent
from charter.training.exports import matrix_export, matrix_table
from charter.training.models import Assignment, Course
from charter.training.selectors import CellState, MatrixRow, training_matrix
from tests.conftest import client_for
from tests.training.factories import published_course, staff_member, supervisor_of, team_make, trainer_user
from tests.training.records_fixtures import assignment_make, at, certificate_make, completion_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotline() -> Team:
    return team_make(code="hotline")


@pytest.fixture
def trainer() -> User:
    return trainer_user()


def _states(matrix_rows: list[MatrixRow], courses: list[Course], person: User) -> dict[str, CellState]:
    row = next(row for row in matrix_rows if row.person == person)
    return {course.code: cell.state for course, cell in zip(courses, row.cells, strict=True)}


def test_each_state_of_the_matrix(hotline: Team, trainer: User) -> None:
    today = timezone.localdate()
    li = staff_member(team=hotline, username="li.agent")
    wu = staff_member(team=hotline, username="wu.agent")
    done = published_course(code="done")
    due = published_course(code="due").course
    late = published_course(code="late").course
    lapsed = published_course(code="lapsed", issues_certificate=True)
    renewed = published_course(code="renewed", issues_certificate=True)
    published_course(code="not-assigned")  # nobody assigned, not onboarding: not a column
    onboarding = published_course(code="onboarding", is_onboarding=True).course

    first = completion_make(person=li, version=done, completed_at=at(today - dt.timedelta(days=3)))
    assignment_make(
        person=li,
        course=done.course,
        due_on=today,
        status=Assignment.Status.COMPLETED,
        completed_at=first.completed_at,
    )
    assignment_make(person=li, course=due, due_on=today)
    assignment_make(person=li, course=late, due_on=today - dt.timedelta(days=1))
    old = completion_make(person=li, version=lapsed, completed_at=at(today - dt.timedelta(days=400)))
    certificate_make(
        completion=old, issued_on=old.completed_at.date(), expires_on=today - dt.timedelta(days=1)
    )
    # An expired certificate, then a newer completion (whose certificate is not written yet): done.
    older = completion_make(person=li, version=renewed, completed_at=at(today - dt.timedelta(days=400)))
    certificate_make(
        completion=older, issued_on=older.completed_at.date(), expires_on=today - dt.timedelta(days=5)
    )
    completion_make(person=li, version=renewed, completed_at=at(today - dt.timedelta(days=1)))
    for version, completion in ((lapsed, old), (renewed, older)):
        assignment_make(
            person=li,
            course=version.course,
            due_on=today - dt.timedelta(days=400),
            status=Assignment.Status.COMPLETED,
            completed_at=completion.completed_at,
        )

    matrix = training_matrix(user=trainer, team=hotline)

    # Courses assigned (open or completed) among the people, and onboarding ones; by code.
    assert [course.code for course in matrix.courses] == [
        "done",
        "due",
        "lapsed",
        "late",
        "onboarding",
        "renewed",
    ]
    assert [row.person for row in matrix.rows] == [li, wu]
    assert _states(matrix.rows, matrix.courses, li) == {
        "done": CellState.DONE,
        "due": CellState.DUE,
        "late": CellState.OVERDUE,
        "lapsed": CellState.EXPIRED,
        "renewed": CellState.DONE,
        onboarding.code: CellState.NOT_REQUIRED,
    }
    assert set(_states(matrix.rows, matrix.courses, wu).values()) == {CellState.NOT_REQUIRED}


def test_a_supervisor_sees_only_his_teams(hotline: Team) -> None:
    li = staff_member(team=hotline)
    staff_member()  # another team
    supervisor = supervisor_of(hotline)
    people = {row.person for row in training_matrix(user=supervisor).rows}
    assert people == {li, supervisor}
    other = team_make(code="hall")
    assert training_matrix(user=supervisor, team=other).rows == []


def test_the_matrix_reads_a_bounded_number_of_queries(
    hotline: Team, trainer: User, django_assert_max_num_queries: object
) -> None:
    today = timezone.localdate()
    courses = [published_course() for _ in range(3)]
    for _index in range(12):
        person = staff_member(team=hotline)
        for version in courses:
            assignment_make(person=person, course=version.course, due_on=today)
            completion = completion_make(person=person, version=version, completed_at=at(today))
            certificate_make(completion=completion, issued_on=today, expires_on=None)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        matrix = training_matrix(user=trainer, team=hotline)
    assert len(matrix.rows) == 12 and len(matrix.courses) == 3


def test_exports_write_a_formula_like_title_as_text(hotline: Team, trainer: User) -> None:
    person = staff_member(team=hotline, display_name="=1+1")
    course = published_course(title_zh='=HYPERLINK("http://x")').course
    assignment_make(person=person, course=course, due_on=timezone.localdate())

    client = client_for(trainer)
    response = client.get("/desk/training/matrix/", {"team": str(hotline.pk), "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert '\'=HYPERLINK("http://x")' in rows[1]
    assert rows[2][0] == "'=1+1"

    response = client.get("/desk/training/matrix/", {"team": str(hotline.pk), "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [cell.value for cell in sheet[1]]
    assert '\'=HYPERLINK("http://x")' in values
    assert sheet.cell(row=2, column=1).data_type == "s"
    events = AuditEvent.objects.filter(action="training.matrix_export")
    assert sorted(event.data["format"] for event in events) == ["csv", "xlsx"]


def test_export_refused_without_the_matrix(hotline: Team) -> None:
    from charter.common.errors import DomainError

    agent = staff_member(team=hotline)
    with pytest.raises(DomainError):
        matrix_export(actor=agent, team=None, unit=None, extension="csv")
    assert matrix_table(training_matrix(user=supervisor_of(hotline), team=hotline)).rows


def test_the_matrix_page_shows_people_a_page_at_a_time_with_the_same_columns(
    hotline: Team, trainer: User
) -> None:
    from charter.training import views_records

    today = timezone.localdate()
    people = [staff_member(team=hotline, username=f"agent{index:02d}") for index in range(3)]
    course = published_course(code="only-last").course
    assignment_make(person=people[-1], course=course, due_on=today)
    first = training_matrix(user=trainer, team=hotline, offset=0, limit=2)
    last = training_matrix(user=trainer, team=hotline, offset=2, limit=2)
    assert [row.person for row in first.rows] == people[:2]
    assert [row.person for row in last.rows] == people[2:]
    assert first.courses == last.courses == [course]
    assert [row.cells[0].state for row in first.rows + last.rows] == [
        CellState.NOT_REQUIRED,
        CellState.NOT_REQUIRED,
        CellState.DUE,
    ]
    assert views_records.MATRIX_PAGE_SIZE >= 50
