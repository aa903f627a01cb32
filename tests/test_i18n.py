"""Every user-visible string has a Chinese translation, and every catalogue is up to date with the source."""

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

from charter.common.i18n import catalogue_roots

ROOTS = catalogue_roots()


def _po(folder: Path) -> Path:
    return folder / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("folder", [root for root, _ in ROOTS], ids=lambda p: p.name)
def test_every_zh_hans_message_is_translated(folder: Path) -> None:
    catalogue = polib.pofile(str(_po(folder)))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert untranslated == [], f"untranslated in {_po(folder)}"
    assert fuzzy == [], f"fuzzy in {_po(folder)}"


@pytest.mark.parametrize(("folder", "ignores"), ROOTS, ids=[root.name for root, _ in ROOTS])
def test_catalogue_holds_every_string_of_the_source(
    folder: Path, ignores: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "static"))
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)

    call_command("makemessages", locale=["zh_Hans"], ignore_patterns=ignores, verbosity=0)

    fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(_po(copy)))}
    committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(_po(folder)))}
    missing = sorted(msgid for _ctx, msgid in fresh - committed)
    assert missing == [], f"run `manage.py messages_update` and translate: {missing}"


def test_every_app_has_its_own_catalogue() -> None:
    charter_dir = ROOTS[-1][0]
    apps = {path.parent.name for path in charter_dir.glob("*/apps.py")}
    with_catalogue = {root.name for root, _ in ROOTS[:-1]}

    assert apps - with_catalogue == set()
