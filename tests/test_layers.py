"""The apps' layers (DESIGN.md): an app imports only the apps below it; a lower app never knows a higher one.

1. `common` (imports no other app), then `accounts`, `audit`, `privacy`
2. `standards`, `catalog`, `sla`, `mail`
3. `cases`
4. in this order: `surveys` < `quality` < `conduct` < `improvement` < `training` < `assessment` < `reports`
5. `demo` and `config` compose the apps; nothing imports them

Peers of layers 1 and 2 may read each other (the SLA reads the catalogue's commitments); within layer 4 each
app reads only those before it. A higher app learns of a lower one's changes through the outbox or a registry.
"""

import ast
from pathlib import Path

import pytest

import charter

ROOT = Path(charter.__file__).parent

# app → (layer, rank within the layer); equal keys may import each other, a lower key never imports a higher.
LAYERS: dict[str, tuple[int, int]] = {
    "common": (0, 0),
    "accounts": (1, 0),
    "audit": (1, 0),
    "privacy": (1, 0),
    "standards": (2, 0),
    "catalog": (2, 0),
    "sla": (2, 0),
    "mail": (2, 0),
    "cases": (3, 0),
    "surveys": (4, 1),
    "quality": (4, 2),
    "conduct": (4, 3),
    "improvement": (4, 4),
    "training": (4, 5),
    "assessment": (4, 6),
    "reports": (4, 7),
    "demo": (5, 0),
    "config": (5, 0),
}
PACKAGES = sorted(path.name for path in ROOT.iterdir() if (path / "__init__.py").exists())


def _imported_apps(path: Path) -> set[str]:
    apps = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        apps |= {module.split(".")[1] for module in modules if module.startswith("charter.")}
    return apps


def test_every_app_has_a_layer() -> None:
    assert set(PACKAGES) <= set(LAYERS), "give the new app its place in LAYERS (and in DESIGN.md)"


@pytest.mark.parametrize("app", PACKAGES)
def test_an_app_imports_only_the_apps_below_it(app: str) -> None:
    upward = []
    for path in sorted((ROOT / app).rglob("*.py")):
        for other in _imported_apps(path) - {app}:
            if other not in LAYERS or LAYERS[other] > LAYERS[app] or (app == "common" and other != app):
                upward.append(f"{path.relative_to(ROOT.parent)} imports charter.{other}")
    assert upward == []
