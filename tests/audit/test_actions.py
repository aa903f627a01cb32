"""Every action code the source records on the audit chain has a name in the registry, in both languages.

The codes are found by reading the source (ast): each `audit_record(action=…)` call, and where the code is
built from a parameter (`audit(actor, "reply", case)` in cases, `_event(violation, Event.NOTIFIED)` in
conduct, `attempt_requeue(action="mail.outbound_retry")`), every call of the function that passes it, to any
depth. A code the reader cannot work out fails the test, so a new way of recording is never silently missed.
"""

import ast
import importlib
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

import charter
from charter.audit.actions import ACTION_LABELS, action_choices, action_group, action_label

ROOT = Path(charter.__file__).parent
Function = ast.FunctionDef | ast.AsyncFunctionDef


class UnresolvedError(Exception):
    """The source builds an action code in a way this reader does not follow."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


class Source:
    """The parsed modules of charter/ (migrations aside) and what their audit_record calls are given."""

    def __init__(self, root: Path) -> None:
        self.trees = {
            _module_name(path): ast.parse(path.read_text(encoding="utf-8"), str(path))
            for path in sorted(root.rglob("*.py"))
            if "migrations" not in path.parts
        }
        self.parent: dict[ast.AST, ast.AST] = {}
        for tree in self.trees.values():
            for node in ast.walk(tree):
                for child in ast.iter_child_nodes(node):
                    self.parent[child] = node

    def function_of(self, node: ast.AST) -> Function | None:
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, Function):
                return node
        return None

    def calls(self, name: str) -> Iterator[tuple[str, ast.Call]]:
        for module, tree in self.trees.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    func = node.func
                    called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                    if called == name:
                        yield module, node

    def _imports(self, importer: str, module: str, name: str) -> bool:
        return any(
            isinstance(node, ast.ImportFrom)
            and node.module == module
            and any(a.name == name for a in node.names)
            for node in ast.walk(self.trees[importer])
        )

    def codes(self, expr: ast.expr | None, module: str, function: Function | None) -> set[str]:
        """The strings `expr` can be when it runs in `function` of `module`."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return self.codes(expr.body, module, function) | self.codes(expr.orelse, module, function)
        if isinstance(expr, ast.JoinedStr):
            pieces = [
                {str(part.value)}
                if isinstance(part, ast.Constant)
                else self.codes(part.value, module, function)  # type: ignore[attr-defined]
                for part in expr.values
            ]
            return {"".join(combination) for combination in itertools.product(*pieces)}
        if isinstance(expr, ast.Name) and function is not None:
            positional = [a.arg for a in function.args.posonlyargs + function.args.args]
            if expr.id in positional or expr.id in [a.arg for a in function.args.kwonlyargs]:
                index = positional.index(expr.id) if expr.id in positional else None
                return self.passed(function, expr.id, index, module)
            assigned = [
                node.value
                for node in ast.walk(function)
                if isinstance(node, ast.Assign)
                and any(isinstance(target, ast.Name) and target.id == expr.id for target in node.targets)
            ]
            if assigned:
                return set().union(*(self.codes(value, module, function) for value in assigned))
        if isinstance(expr, ast.Name | ast.Attribute):  # a module-level constant or enum member
            try:
                value = eval(ast.unparse(expr), vars(importlib.import_module(module)))  # noqa: S307
            except Exception as error:
                raise UnresolvedError(f"{module}:{expr.lineno}: {ast.unparse(expr)}") from error
            return {str(getattr(value, "value", value))}
        where = f"{module}:{getattr(expr, 'lineno', '?')}"
        raise UnresolvedError(f"{where}: {ast.unparse(expr) if expr else 'no action given'}")

    def passed(self, function: Function, parameter: str, index: int | None, module: str) -> set[str]:
        """The values every caller of `function` passes as `parameter`."""
        found: set[str] = set()
        callers = 0
        for caller, call in self.calls(function.name):
            if caller != module and not self._imports(caller, module, function.name):
                continue
            callers += 1
            argument = next((k.value for k in call.keywords if k.arg == parameter), None)
            if argument is None and index is not None and index < len(call.args):
                argument = call.args[index]
            if argument is None:
                raise UnresolvedError(f"{caller}:{call.lineno}: {function.name}() without {parameter}")
            found |= self.codes(argument, caller, self.function_of(call))
        if not callers:
            raise UnresolvedError(f"{module}: nothing calls {function.name}()")
        return found

    def audit_codes(self) -> dict[str, str]:
        """Every action code recorded, with where it is recorded."""
        codes: dict[str, str] = {}
        for module, call in self.calls("audit_record"):
            if module == "charter.audit.services":
                continue
            action = next((k.value for k in call.keywords if k.arg == "action"), None)
            for code in self.codes(action, module, self.function_of(call)):
                codes.setdefault(code, f"{module}:{call.lineno}")
        return codes


@pytest.fixture(scope="module")
def recorded() -> dict[str, str]:
    return Source(ROOT).audit_codes()


def test_the_reader_finds_the_codes_built_from_parameters(recorded: dict[str, str]) -> None:
    assert "cases.reply" in recorded  # audit(actor, "note" if is_internal else "reply", …)
    assert "cases.note" in recorded
    assert "conduct.violation_notified" in recorded  # f"conduct.violation_{kind}", kind = Event.NOTIFIED
    assert "mail.webhook_retry" in recorded  # attempt_requeue(action=…)
    assert "catalog.fee_item_update" in recorded  # _draft_item_save(action=…)
    assert "sla.calendar_unassign" in recorded  # "sla.calendar_assign" if … else "sla.calendar_unassign"
    assert len(recorded) > 100


def test_every_recorded_code_has_a_name(recorded: dict[str, str]) -> None:
    missing = {code: where for code, where in recorded.items() if code not in ACTION_LABELS}

    assert missing == {}, "give these action codes a name in charter/audit/actions.py"


def test_the_registry_names_no_code_that_is_never_recorded(recorded: dict[str, str]) -> None:
    assert sorted(set(ACTION_LABELS) - set(recorded)) == []


def test_every_name_is_translated_and_distinct() -> None:
    with translation.override("en"):
        english = {code: action_label(code) for code in ACTION_LABELS}
    with translation.override("zh-hans"):
        chinese = {code: action_label(code) for code in ACTION_LABELS}

    assert [code for code in ACTION_LABELS if english[code] == chinese[code]] == []
    assert len(set(english.values())) == len(english)
    assert len(set(chinese.values())) == len(chinese)


def test_an_unknown_code_is_shown_as_itself() -> None:
    assert action_label("nowhere.thing_done") == "nowhere.thing_done"
    assert action_group("nowhere.thing") == "nowhere"


def test_choices_are_grouped_by_app_and_named() -> None:
    with translation.override("en"):
        choices = action_choices(["cases.reply", "cases.create", "sla.day_add", "cases.reply"])

    assert choices == [
        ("Cases", [("cases.create", "Case created"), ("cases.reply", "Reply sent")]),
        ("Service levels", [("sla.day_add", "Special day added")]),
    ]
