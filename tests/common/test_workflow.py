"""The shared workflow mechanism: a map of allowed next states, conditions on the row, one 409 refusal."""

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.db import models
from django.utils import translation

from charter.common.api import exception_handler
from charter.common.errors import ConflictError, InvalidTransitionError
from charter.common.workflow import Move, Workflow


class Door(models.TextChoices):
    CLOSED = "closed", "Closed"
    OPEN = "open", "Open"
    LOCKED = "locked", "Locked"


@dataclass
class Room:
    status: str = Door.CLOSED
    has_key: bool = False
    log: list[str] = field(default_factory=list)


def _key_needed(room: Room) -> str | None:
    return None if room.has_key else "Find the key first."


OPEN = Move[Room]("open")
SHUT = Move[Room]("shut")
LOCK = Move[Room]("lock", condition=_key_needed, code="door_no_key")
UNLOCK = Move[Room]("unlock", condition=_key_needed)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages in English unless a test asks for Chinese (the site's default language)."""
    with translation.override("en"):
        yield


DOORS: Workflow[Room, Move[Room]] = Workflow(
    Door,
    {
        Door.CLOSED: {Door.OPEN: OPEN, Door.LOCKED: LOCK},
        Door.OPEN: {Door.CLOSED: SHUT},
        Door.LOCKED: {Door.CLOSED: UNLOCK},
    },
)


def test_an_allowed_move_sets_the_state_and_returns_the_move() -> None:
    room = Room()

    move = DOORS.move(room, to=Door.OPEN)

    assert room.status == Door.OPEN
    assert move is OPEN and move.name == "open"


def test_a_move_the_map_does_not_allow_is_a_409_naming_both_states() -> None:
    room = Room(status=Door.OPEN)

    with pytest.raises(InvalidTransitionError) as refused:
        DOORS.move(room, to=Door.LOCKED)

    assert isinstance(refused.value, ConflictError)
    assert refused.value.status == 409 and refused.value.code == "invalid_transition"
    assert str(refused.value.message) == "This cannot go from “Open” to “Locked”."
    assert room.status == Door.OPEN


def test_the_refusal_is_in_the_readers_language() -> None:
    with translation.override("zh-hans"), pytest.raises(InvalidTransitionError) as refused:
        DOORS.check(Room(status=Door.OPEN), to=Door.LOCKED)

    assert str(refused.value.message) == "无法从“Open”变为“Locked”。"


def test_an_unknown_target_is_refused_like_any_other() -> None:
    with pytest.raises(InvalidTransitionError) as refused:
        DOORS.check(Room(), to="ajar")

    assert "“ajar”" in str(refused.value.message)


def test_a_condition_refuses_with_its_message_and_the_moves_code() -> None:
    room = Room()

    with pytest.raises(InvalidTransitionError) as refused:
        DOORS.move(room, to=Door.LOCKED)

    assert refused.value.status == 409 and refused.value.code == "door_no_key"
    assert str(refused.value.message) == "Find the key first."
    assert room.status == Door.CLOSED
    room.has_key = True
    DOORS.move(room, to=Door.LOCKED)
    assert room.status == Door.LOCKED


def test_a_condition_without_a_code_refuses_with_the_shared_one() -> None:
    with pytest.raises(InvalidTransitionError) as refused:
        DOORS.check(Room(status=Door.LOCKED), to=Door.CLOSED)

    assert refused.value.code == "invalid_transition"


def test_a_named_step_takes_only_its_own_move() -> None:
    room = Room()

    with pytest.raises(InvalidTransitionError):
        DOORS.check(room, to=Door.OPEN, name="shut")
    assert DOORS.check(room, to=Door.OPEN, name="open") is OPEN


def test_a_service_may_word_the_refusal_of_its_own_action() -> None:
    with pytest.raises(InvalidTransitionError) as refused:
        DOORS.check(Room(status=Door.OPEN), to=Door.OPEN, refusal="The door is open already.")

    assert str(refused.value.message) == "The door is open already."
    assert refused.value.code == "invalid_transition"


def test_allowed_next_lists_the_moves_the_map_and_conditions_allow_in_map_order() -> None:
    assert DOORS.allowed_next(Room()) == [Door.OPEN]
    assert DOORS.allowed_next(Room(has_key=True)) == [Door.OPEN, Door.LOCKED]
    assert DOORS.allowed_next(Room(has_key=True), where=lambda move: move.name != "open") == [Door.LOCKED]
    assert DOORS.allowed_next(Room(status=Door.LOCKED)) == []
    assert DOORS.targets(Door.CLOSED) == [Door.OPEN, Door.LOCKED]


def test_can_move_can_take_and_is_final_answer_without_raising() -> None:
    assert DOORS.can_move(Room(), to=Door.OPEN)
    assert not DOORS.can_move(Room(), to=Door.LOCKED)
    assert DOORS.can_take(Room(), name="open")
    assert not DOORS.can_take(Room(), name="lock")  # no key
    assert not DOORS.can_take(Room(), name="shut")  # not from a closed door
    assert not DOORS.is_final(Room())

    class Once(models.TextChoices):
        NEW = "new", "New"
        DONE = "done", "Done"

    once: Workflow[Room, Move[Room]] = Workflow(Once, {Once.NEW: {Once.DONE: Move()}, Once.DONE: {}})
    assert once.is_final(Room(status=Once.DONE))


def test_a_map_must_name_every_state_and_only_states() -> None:
    with pytest.raises(ValueError, match="every state"):
        Workflow(Door, {Door.CLOSED: {}, Door.OPEN: {}})
    with pytest.raises(ValueError, match="unknown states"):
        Workflow(Door, {Door.CLOSED: {"ajar": OPEN}, Door.OPEN: {}, Door.LOCKED: {}})


def test_the_api_answers_a_refused_move_with_409_and_its_code() -> None:
    with pytest.raises(InvalidTransitionError) as refused:
        DOORS.check(Room(status=Door.OPEN), to=Door.LOCKED)

    response = exception_handler(refused.value, {})

    assert response is not None and response.status_code == 409
    assert response.data == {
        "code": "invalid_transition",
        "detail": "This cannot go from “Open” to “Locked”.",
    }
