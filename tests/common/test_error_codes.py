"""One convention for error codes: every app's codes start with the app's prefix, the few shared ones live in
charter/common/errors.py, and no code means two things.

Each app's `ErrorCode` enum is found by walking the package (charter/<app>/errors.py), so a new app's codes
are checked from its first one; a new app also needs its prefix in PREFIXES.
"""

import ast
import importlib
import inspect
import pkgutil
from enum import Enum
from pathlib import Path

import pytest

import charter
from charter.common import errors as common_errors
from charter.common.errors import CommonErrorCode, DomainError

PREFIXES = {
    "accounts": "account_",
    "assessment": "assessment_",
    "audit": "audit_",
    "cases": "case_",
    "catalog": "catalog_",
    "conduct": "conduct_",
    "improvement": "improvement_",
    "mail": "mail_",
    "privacy": "privacy_",
    "quality": "quality_",
    "reports": "report_",
    "sla": "sla_",
    "standards": "standard_",
    "surveys": "survey_",
    "training": "training_",
}
SHARED = {
    "invalid",
    "permission_denied",
    "conflict",
    "invalid_transition",
    "not_found",
    "request_too_large",
    "request_too_deep",
    "idempotency_key_invalid",
    "idempotency_key_reused",
    "idempotency_key_in_use",
    "unknown_parameter",
}
ROOT = Path(charter.__file__).parent


def _app_enums() -> dict[str, type[Enum]]:
    found: dict[str, type[Enum]] = {}
    for app in pkgutil.iter_modules([str(ROOT)]):
        if app.ispkg and (ROOT / app.name / "errors.py").exists() and app.name != "common":
            module = importlib.import_module(f"charter.{app.name}.errors")
            found[app.name] = module.ErrorCode
    return found


APP_ENUMS = _app_enums()


def _codes(enum: type[Enum]) -> list[str]:
    # __members__ includes aliases: two names with one value inside an enum are a duplicate too.
    return [str(member.value) for member in enum.__members__.values()]


def test_every_app_with_an_errors_module_is_found() -> None:
    assert {"accounts", "cases", "conduct", "improvement", "quality", "surveys"} <= set(APP_ENUMS)


def test_the_shared_codes_are_exactly_those_of_common() -> None:
    assert set(_codes(CommonErrorCode)) == SHARED


def test_the_shared_errors_default_to_shared_codes() -> None:
    classes = [
        cls
        for _name, cls in inspect.getmembers(common_errors, inspect.isclass)
        if issubclass(cls, DomainError)
    ]

    assert {str(cls.default_code) for cls in classes} <= SHARED
    assert len(classes) >= 5


@pytest.mark.parametrize("app", sorted(APP_ENUMS))
def test_every_code_of_an_app_starts_with_its_prefix(app: str) -> None:
    assert app in PREFIXES, f"give the app {app} its error code prefix in PREFIXES"
    prefix = PREFIXES[app]

    assert [code for code in _codes(APP_ENUMS[app]) if not code.startswith(prefix)] == []


def test_no_prefix_is_the_start_of_another() -> None:
    prefixes = sorted(PREFIXES.values())

    assert [(a, b) for a in prefixes for b in prefixes if a != b and b.startswith(a)] == []


def test_every_code_is_unique_across_the_project() -> None:
    owners: dict[str, list[str]] = {}
    for code in _codes(CommonErrorCode):
        owners.setdefault(code, []).append("common")
    for app, enum in APP_ENUMS.items():
        for code in _codes(enum):
            owners.setdefault(code, []).append(app)

    assert {code: where for code, where in owners.items() if len(where) > 1} == {}


def _error_names(cls: type[DomainError]) -> set[str]:
    return {cls.__name__}.union(*(_error_names(sub) for sub in cls.__subclasses__()))


def test_a_code_written_as_text_in_a_domain_error_is_a_known_code() -> None:
    known = set(_codes(CommonErrorCode)).union(*(_codes(enum) for enum in APP_ENUMS.values()))
    error_names = _error_names(DomainError)
    unknown = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            if getattr(node.func, "id", getattr(node.func, "attr", "")) not in error_names:
                continue
            unknown += [
                f"{path.relative_to(ROOT)}:{node.lineno}: {keyword.value.value!s}"
                for keyword in node.keywords
                if keyword.arg == "code"
                and isinstance(keyword.value, ast.Constant)
                and keyword.value.value not in known
            ]

    assert unknown == []
