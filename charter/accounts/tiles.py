"""The tiles of the desk home: each app counts the work waiting for the signed-in person.

Accounts owns the desk home but knows none of the apps above it: an app registers a tile function in its
AppConfig.ready() (`desk_tiles.register(...)`), the way `charter.common.panels` lets higher apps add panels
to lower apps' pages. A tile function returns the tiles of its app for one user (none for a user who may not
open the lists they link to) and should count them with one aggregate query.
"""

import dataclasses
from collections.abc import Callable, Sequence
from enum import StrEnum

from django.utils.functional import Promise

from charter.accounts.models import User


class Tone(StrEnum):
    """How a tile with a count above zero looks: information, work that asks for action, or an alarm."""

    INFO = "info"
    ACTION = "action"
    ALERT = "alert"


@dataclasses.dataclass(frozen=True)
class DeskTile:
    """One count on the desk home, linking to the list that shows what it counts.

    `key` names the tile for people and tests (`data-testid="tile-<key>"`); `url` is that list, filtered so
    that its rows are the ones counted.
    """

    key: str
    label: str | Promise
    count: int
    url: str
    tone: Tone = Tone.ACTION
    hint: str | Promise = ""

    @property
    def is_zero(self) -> bool:
        return self.count == 0

    @property
    def css_class(self) -> str:
        """`tile-zero` when there is nothing to do (shown quietly), else `tile-<tone>`."""
        return "tile-zero" if self.is_zero else f"tile-{self.tone}"


TileFunction = Callable[[User], Sequence[DeskTile]]


class DeskTiles:
    """The tile functions of the desk home, by `order` (then registration order)."""

    def __init__(self) -> None:
        self._functions: list[tuple[int, TileFunction]] = []

    def register(self, function: TileFunction, *, order: int = 100) -> None:
        """Add `function`'s tiles to the desk home at `order` (lower first: the work of the day before the
        rest), once however often it is registered."""
        if all(known is not function for _order, known in self._functions):
            self._functions.append((order, function))
            self._functions.sort(key=lambda entry: entry[0])

    def collect(self, user: User) -> list[DeskTile]:
        """Return every registered app's tiles for `user`, in order."""
        return [tile for _order, function in self._functions for tile in function(user)]


desk_tiles = DeskTiles()
