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


# Django merges every zh_Hans catalogue into one: where two apps translate the same (msgctxt, msgid)
# differently, one translation wins on every page (LOCALE_PATHS first, then INSTALLED_APPS in order), so
# one app silently shows another's words. Same meaning: one translation everywhere. Different meaning: a
# context in the code (pgettext_lazy("assessment", ...), {% translate "..." context "assessment" %}).
# The conflicts below are older than this test, each with every translation it had then.
# THIS LIST MAY ONLY SHRINK: never add an entry or a translation; remove what you reconcile.
KNOWN_CONFLICTS: set[tuple[str | None, str, tuple[str, ...]]] = set()


def _zh_hans_translations() -> dict[tuple[str | None, str], dict[str, str]]:
    """(msgctxt, msgid) -> {catalogue folder: msgstr}, over every translated live entry."""
    seen: dict[tuple[str | None, str], dict[str, str]] = {}
    for folder, _ignores in ROOTS:
        for entry in polib.pofile(str(_po(folder))):
            if entry.obsolete or not entry.msgstr:
                continue
            seen.setdefault((entry.msgctxt, entry.msgid), {})[folder.name] = entry.msgstr
    return seen


def _conflicts() -> dict[tuple[str | None, str], dict[str, str]]:
    return {key: by_app for key, by_app in _zh_hans_translations().items() if len(set(by_app.values())) > 1}


def test_one_message_has_one_translation_in_every_catalogue() -> None:
    allowed = {(ctx, msgid): set(msgstrs) for ctx, msgid, msgstrs in KNOWN_CONFLICTS}

    new = {
        key: by_app
        for key, by_app in _conflicts().items()
        if key not in allowed or not set(by_app.values()) <= allowed[key]
    }

    assert new == {}, (
        "the same words are translated differently in two catalogues, and only one translation shows on "
        "every page: use the same Chinese, or give the new one a context (pgettext / translate ... context)"
    )


def test_the_known_conflicts_only_shrink() -> None:
    conflicts = _conflicts()

    reconciled = sorted(
        (ctx, msgid) for ctx, msgid, _msgstrs in KNOWN_CONFLICTS if (ctx, msgid) not in conflicts
    )

    assert len({(ctx, msgid) for ctx, msgid, _msgstrs in KNOWN_CONFLICTS}) == len(KNOWN_CONFLICTS)
    assert reconciled == [], "reconciled: remove these from KNOWN_CONFLICTS"
