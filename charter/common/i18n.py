"""Where the translation catalogues live: one per app (its own `locale/`), one for the shared templates."""

from pathlib import Path

from django.conf import settings

CHARTER_DIR = Path(settings.BASE_DIR) / "charter"


def catalogue_roots() -> list[tuple[Path, list[str]]]:
    """Return (folder, ignore patterns) for each catalogue; makemessages runs inside each folder.

    The shared catalogue (charter/locale) covers charter/templates and charter/config; each app's own
    catalogue covers that app, so two people working on two apps never edit the same .po file.
    """
    apps = sorted(p.parent.name for p in CHARTER_DIR.glob("*/locale") if p.parent != CHARTER_DIR)
    roots: list[tuple[Path, list[str]]] = [(CHARTER_DIR / app, []) for app in apps]
    shared_ignores = [
        f"{path.name}/*"
        for path in CHARTER_DIR.iterdir()
        if path.is_dir() and path.name not in {"templates", "config"}
    ]
    roots.append((CHARTER_DIR, shared_ignores))
    return roots
