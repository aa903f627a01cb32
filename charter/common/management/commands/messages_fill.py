import importlib.util
from pathlib import Path
from typing import Any

import polib
from django.core.management.base import BaseCommand, CommandParser

from charter.common.i18n import catalogue_roots


class Command(BaseCommand):
    help = "Fill empty zh_Hans msgstrs from a Python file defining ZH = {msgid: msgstr}; print what is left."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="a .py file with a ZH dict")
        parser.add_argument(
            "only", nargs="*", help="catalogue folder names (app labels, or 'charter'); all if none"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        spec = importlib.util.spec_from_file_location("zh_source", options["source"])
        assert spec and spec.loader  # noqa: S101
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        table: dict[Any, Any] = module.ZH
        for folder, _ignores in catalogue_roots():
            path = Path(folder) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
            if not path.exists() or (options["only"] and folder.name not in options["only"]):
                continue
            catalogue = polib.pofile(str(path))
            for entry in catalogue:
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                    entry.msgstr = ""
                    entry.msgstr_plural = {}
                if entry.msgid_plural:
                    key = (entry.msgid, entry.msgid_plural)
                    if not entry.msgstr_plural.get(0) and key in table:
                        entry.msgstr_plural = dict(enumerate(table[key]))
                elif not entry.msgstr and entry.msgid in table:
                    entry.msgstr = table[entry.msgid]
            catalogue.metadata["Language"] = "zh_Hans"
            catalogue.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
            catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
            catalogue.save()
            for entry in catalogue.untranslated_entries():
                self.stdout.write(f"{path}: untranslated {entry.msgid!r}")
