"""The final formula of an assessment scheme: a small arithmetic language over the scheme's parts.

A scheme may combine its parts (`kpi`, `quality`, `self`, `supervisor`, `bonus`, `deduction`…) with a formula
such as `min(kpi * 0.6 + supervisor * 0.4 + bonus, 100) - deduction`. The text is read by a hand-written
tokenizer and a recursive-descent parser into a tree of frozen dataclasses, and the tree is evaluated with
`Decimal` only: Python's own parser and `eval` never see the text, so a formula can do nothing but arithmetic.

Grammar (EBNF; blanks are spaces, tabs, line breaks and the ideographic space U+3000)::

    formula  = expr ;
    expr     = term , { ( "+" | "-" ) , term } ;            (* left-associative: 10-2-3 is 5 *)
    term     = unary , { ( "*" | "/" ) , unary } ;           (* left-associative *)
    unary    = ( "-" | "+" ) , unary | primary ;
    primary  = number | part | call | "(" , expr , ")" ;
    call     = function , "(" , expr , { "," , expr } , ")" ;
    function = "min" | "max" | "round" | "clamp" ;
    number   = digit , { digit } , [ "." , digit , { digit } ] ;   (* 12, 0.5; not .5, 5., 1e3 *)
    part     = letter_ , { letter_ | digit } ;               (* ASCII, case-sensitive: kpi, self_score *)

An identifier followed by "(" is a function, otherwise a part; so a part may even be called `min`.
Functions: `min(a, b, …)` and `max(a, b, …)` take two arguments or more; `round(x)` and `round(x, n)` round
half away from zero (四舍五入) to `n` decimal places, where `n` is a whole number literal from 0 to 10;
`clamp(x, lo, hi)` is `x` kept between `lo` and `hi` (refused when `lo > hi`). There are no conditionals,
comparisons, powers or implicit multiplication (`2kpi` is refused).

Chinese input methods: the full-width forms （ ） ＋ － × ÷ ＊ ／ ， and the minus sign U+2212 are read
as their ASCII counterparts. Each replaces exactly one character, so the columns in errors are those of the
text as typed. Full-width digits and letters are not accepted.

Limits: at most 500 characters, and at most 50 levels of nesting (parentheses, function calls and signs).

Errors are `FormulaError` (a `DomainError`, field `formula`) with `column`, the 1-based position of the
character at fault in the text as typed (one past its end when the formula stops too early). Parsing refuses
with `assessment_formula_invalid`; evaluation refuses with `assessment_formula_division_by_zero`,
`assessment_formula_value_missing`, `assessment_formula_value_invalid` (a value that is not a finite
`Decimal`) or `assessment_formula_undefined` (clamp bounds reversed, or a result too large), each naming the
column of the operator, call or part concerned.

Arithmetic is exact where `Decimal` is exact, and otherwise rounds to 28 significant digits half to even,
in a context of its own: the caller's `decimal` context never changes a result.
"""

import decimal
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from charter.assessment.errors import ErrorCode
from charter.common.errors import DomainError

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_ROUND_PLACES",
    "Binary",
    "Call",
    "Formula",
    "FormulaError",
    "Name",
    "Negate",
    "Node",
    "Number",
    "formula_parse",
]

MAX_LENGTH = 500
MAX_DEPTH = 50
MAX_ROUND_PLACES = 10

# Full-width forms typed by Chinese input methods, each mapped to one ASCII character so columns stay put.
_NORMALISE = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "＋": "+",
        "－": "-",
        "−": "-",
        "×": "*",
        "＊": "*",
        "÷": "/",
        "／": "/",
        "，": ",",
        "\u3000": " ",
    }
)
_BLANKS = frozenset(" \t\r\n")
_DIGITS = frozenset("0123456789")
_IDENTIFIER_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENTIFIER_REST = _IDENTIFIER_START | _DIGITS
_SINGLE = frozenset("+-*/(),")

# A context of our own, so that the caller's precision or traps never change a result.
_CONTEXT = decimal.Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emax=999_999,
    Emin=-999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

_OPERATIONS: Mapping[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": _CONTEXT.add,
    "-": _CONTEXT.subtract,
    "*": _CONTEXT.multiply,
    "/": _CONTEXT.divide,
}


class FormulaError(DomainError):
    """A formula was refused by the parser or by an evaluation; `column` is the 1-based character at fault."""

    def __init__(self, message: str | Promise, *, column: int, code: str = ErrorCode.FORMULA_INVALID) -> None:
        super().__init__(message, code=code, field="formula")
        self.column = column


# The tree. `column` (1-based, in the text as typed) is left out of equality, so that a formula parsed from
# its own rendering compares equal to the original.


@dataclass(frozen=True)
class Number:
    value: Decimal
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Name:
    name: str
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Negate:
    operand: "Node"
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Binary:
    operator: str  # one of + - * /
    left: "Node"
    right: "Node"
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    function: str
    arguments: tuple["Node", ...]
    column: int = field(default=0, compare=False)


Node = Number | Name | Negate | Binary | Call


@dataclass(frozen=True)
class _Arity:
    minimum: int
    maximum: int | None  # None: no upper limit


FUNCTIONS: Mapping[str, _Arity] = {
    "min": _Arity(2, None),
    "max": _Arity(2, None),
    "round": _Arity(1, 2),
    "clamp": _Arity(3, 3),
}

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
_UNARY_PRECEDENCE = 3
_ATOM_PRECEDENCE = 4


def _precedence(node: Node) -> int:
    if isinstance(node, Binary):
        return _PRECEDENCE[node.operator]
    if isinstance(node, Negate):
        return _UNARY_PRECEDENCE
    return _ATOM_PRECEDENCE


def _render(node: Node) -> str:
    """Return `node` as formula text with the fewest parentheses that keep its tree (operators are
    left-associative, so a right operand of equal precedence keeps its parentheses: `a - (b - c)`)."""
    if isinstance(node, Number):
        return format(node.value, "f")
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Negate):
        operand = _render(node.operand)
        if _precedence(node.operand) < _UNARY_PRECEDENCE:
            operand = f"({operand})"
        return f"-{operand}"
    if isinstance(node, Call):
        return f"{node.function}({', '.join(_render(argument) for argument in node.arguments)})"
    precedence = _PRECEDENCE[node.operator]
    left, right = _render(node.left), _render(node.right)
    if _precedence(node.left) < precedence:
        left = f"({left})"
    if _precedence(node.right) <= precedence:
        right = f"({right})"
    return f"{left} {node.operator} {right}"


def _names(node: Node) -> frozenset[str]:
    if isinstance(node, Name):
        return frozenset({node.name})
    if isinstance(node, Negate):
        return _names(node.operand)
    if isinstance(node, Binary):
        return _names(node.left) | _names(node.right)
    if isinstance(node, Call):
        return frozenset().union(*(_names(argument) for argument in node.arguments))
    return frozenset()


@dataclass(frozen=True)
class Formula:
    """A parsed formula: `root` is its tree, `text` the formula as typed (where the columns of errors are)."""

    root: Node
    text: str = field(default="", compare=False)

    def __str__(self) -> str:
        return _render(self.root)

    @property
    def names(self) -> frozenset[str]:
        """The parts the formula uses."""
        return _names(self.root)

    def evaluate(self, values: Mapping[str, Decimal]) -> Decimal:
        """Return the formula's value for the parts' `values` (extra values are ignored).

        Refuses (FormulaError) a part without a value (assessment_formula_value_missing) or whose value is not
        a finite Decimal (assessment_formula_value_invalid), a division by zero
        (assessment_formula_division_by_zero), and clamp bounds reversed or a result too large
        (assessment_formula_undefined). Pure and deterministic.
        """
        return _Evaluator(values).evaluate(self.root)


class _Evaluator:
    def __init__(self, values: Mapping[str, Decimal]) -> None:
        self.values = values

    def evaluate(self, node: Node) -> Decimal:
        if isinstance(node, Number):
            return node.value
        if isinstance(node, Name):
            return self.value(node)
        if isinstance(node, Negate):
            operand = self.evaluate(node.operand)
            return self.guarded(node.column, lambda: _CONTEXT.minus(operand))
        if isinstance(node, Binary):
            # Inline rather than a method of its own: a long chain (1+1+…) recurses once per operator, and
            # one frame per level keeps the deepest formula of MAX_LENGTH well inside Python's stack limit.
            left, right = self.evaluate(node.left), self.evaluate(node.right)
            if node.operator == "/" and right.is_zero():
                raise FormulaError(
                    _("Character %(column)s: division by zero.") % {"column": node.column},
                    column=node.column,
                    code=ErrorCode.FORMULA_DIVISION_BY_ZERO,
                )
            operation = _OPERATIONS[node.operator]
            return self.guarded(node.column, lambda: operation(left, right))
        return self.call(node)

    def value(self, node: Name) -> Decimal:
        if node.name not in self.values:
            raise FormulaError(
                _("Character %(column)s: the value of “%(name)s” is missing.")
                % {"column": node.column, "name": node.name},
                column=node.column,
                code=ErrorCode.FORMULA_VALUE_MISSING,
            )
        value = self.values[node.name]
        if not isinstance(value, Decimal) or not value.is_finite():
            raise FormulaError(
                _("Character %(column)s: the value of “%(name)s” is not a number.")
                % {"column": node.column, "name": node.name},
                column=node.column,
                code=ErrorCode.FORMULA_VALUE_INVALID,
            )
        return value

    def call(self, node: Call) -> Decimal:
        arguments = [self.evaluate(argument) for argument in node.arguments]
        if node.function == "min":
            return min(arguments)
        if node.function == "max":
            return max(arguments)
        if node.function == "round":
            places = int(arguments[1]) if len(arguments) == 2 else 0
            number = arguments[0]
            return self.guarded(
                node.column, lambda: number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
            )
        number, low, high = arguments
        if low > high:
            raise _clamp_bounds_error(node.column, code=ErrorCode.FORMULA_UNDEFINED)
        return min(max(number, low), high)

    @staticmethod
    def guarded(column: int, operation: Callable[[], Decimal]) -> Decimal:
        """Return `operation()` in the formula's context, refusing a result out of Decimal's range."""
        try:
            with decimal.localcontext(_CONTEXT):
                return operation()
        except ArithmeticError:
            raise FormulaError(
                _("Character %(column)s: the result is too large to compute.") % {"column": column},
                column=column,
                code=ErrorCode.FORMULA_UNDEFINED,
            ) from None


def _clamp_bounds_error(column: int, *, code: str) -> FormulaError:
    message = _("Character %(column)s: the lower bound of clamp() is above its upper bound.")
    return FormulaError(message % {"column": column}, column=column, code=code)


# Tokens: kind is "number", "name", one of the single characters + - * / ( ) , or "end".
@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    column: int


def _error(message: Promise, column: int, **values: object) -> FormulaError:
    """Return the parse error `message` at `column`, interpolating the column and `values` into it."""
    return FormulaError(message % {"column": column, **values}, column=column)


def _shown(character: str) -> str:
    """Return `character` as an error message can show it (invisible characters by their code point)."""
    return character if character.isprintable() and not character.isspace() else f"U+{ord(character):04X}"


def _digits_end(text: str, index: int) -> int:
    while index < len(text) and text[index] in _DIGITS:
        index += 1
    return index


def _number_end(text: str, start: int) -> int:
    """Return the index just past the number that starts at `start`, refusing `5.` and `1.2.3`."""
    end = _digits_end(text, start)
    if end == len(text) or text[end] != ".":
        return end
    if end + 1 == len(text) or text[end + 1] not in _DIGITS:
        raise _error(_("Character %(column)s: a digit is expected after the decimal point."), end + 2)
    end = _digits_end(text, end + 1)
    if end < len(text) and text[end] == ".":
        raise _error(_("Character %(column)s: a number has at most one decimal point."), end + 1)
    return end


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    index = 0
    while index < len(text):
        character, column = text[index], index + 1
        if character in _BLANKS:
            end = index + 1
        elif character in _SINGLE:
            end = index + 1
            tokens.append(_Token(character, character, column))
        elif character in _DIGITS:
            end = _number_end(text, index)
            tokens.append(_Token("number", text[index:end], column))
        elif character in _IDENTIFIER_START:
            end = index + 1
            while end < len(text) and text[end] in _IDENTIFIER_REST:
                end += 1
            tokens.append(_Token("name", text[index:end], column))
        elif character == ".":
            raise _error(_("Character %(column)s: a number starts with a digit (write 0.5, not .5)."), column)
        else:
            message = _("Character %(column)s: “%(character)s” cannot be used in a formula.")
            raise _error(message, column, character=_shown(character))
        index = end
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token], names: Collection[str]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0
        self.names = names

    @property
    def current(self) -> _Token:
        return self.tokens[self.position]

    def advance(self) -> _Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def enter(self, token: _Token) -> None:
        """Count one more level of nesting at `token`, refusing the level past MAX_DEPTH; the parser recurses
        once per level, so this also bounds its stack."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            message = _("Character %(column)s: the formula is nested more than %(limit)s levels deep.")
            raise _error(message, token.column, limit=MAX_DEPTH)

    def formula(self) -> Node:
        node = self.expression()
        token = self.current
        if token.kind == ")":
            raise _error(_("Character %(column)s: this “)” has no matching “(”."), token.column)
        if token.kind != "end":
            raise _error(_("Character %(column)s: an operator (+, -, *, /) is expected."), token.column)
        return node

    def expression(self) -> Node:
        node = self.term()
        while self.current.kind in ("+", "-"):
            token = self.advance()
            node = Binary(token.kind, node, self.term(), token.column)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.current.kind in ("*", "/"):
            token = self.advance()
            node = Binary(token.kind, node, self.unary(), token.column)
        return node

    def unary(self) -> Node:
        token = self.current
        if token.kind not in ("+", "-"):
            return self.primary()
        self.advance()
        self.enter(token)
        operand = self.unary()
        self.depth -= 1
        # A plus sign changes nothing, so the tree (and the rendering) leaves it out.
        return Negate(operand, token.column) if token.kind == "-" else operand

    def primary(self) -> Node:
        token = self.current
        if token.kind == "number":
            self.advance()
            return Number(Decimal(token.text), token.column)
        if token.kind == "name":
            self.advance()
            if self.current.kind == "(":
                return self.call(token)
            return self.name(token)
        if token.kind == "(":
            self.advance()
            self.enter(token)
            node = self.expression()
            self.depth -= 1
            self.close(token, _("Character %(column)s: an operator or “)” is expected."))
            return node
        raise _error(_("Character %(column)s: a number, a part or “(” is expected."), token.column)

    def close(self, opening: _Token, message: Promise) -> None:
        """Consume the ")" that closes `opening`, or refuse with `message` (at the end: name `opening`)."""
        token = self.current
        if token.kind == "end":
            message = _("Character %(column)s: the “(” at character %(opening)s has no closing “)”.")
            raise _error(message, token.column, opening=opening.column)
        if token.kind != ")":
            raise _error(message, token.column)
        self.advance()

    def name(self, token: _Token) -> Name:
        if token.text in self.names:
            return Name(token.text, token.column)
        if token.text in FUNCTIONS:
            message = _("Character %(column)s: “(” is expected after the function %(function)s.")
            raise _error(message, token.column + len(token.text), function=token.text)
        known = str(pgettext("list separator", ", ")).join(sorted(self.names))
        if not known:
            message = _("Character %(column)s: “%(name)s” is not a part; this scheme has no parts to use.")
            raise _error(message, token.column, name=token.text)
        message = _("Character %(column)s: “%(name)s” is not a part; the parts are %(names)s.")
        raise _error(message, token.column, name=token.text, names=known)

    def call(self, name: _Token) -> Call:
        if name.text not in FUNCTIONS:
            message = _("Character %(column)s: “%(name)s” is not a function; use min, max, round or clamp.")
            raise _error(message, name.column, name=name.text)
        opening = self.advance()
        self.enter(name)
        arguments = [self.expression()]
        while self.current.kind == ",":
            self.advance()
            arguments.append(self.expression())
        self.depth -= 1
        self.close(opening, _("Character %(column)s: an operator, “,” or “)” is expected."))
        self.check_arity(name, len(arguments))
        call = Call(name.text, tuple(arguments), name.column)
        self.check_arguments(call)
        return call

    def check_arity(self, name: _Token, given: int) -> None:
        arity = FUNCTIONS[name.text]
        if arity.minimum <= given and (arity.maximum is None or given <= arity.maximum):
            return
        if arity.maximum is None:
            message = _(
                "Character %(column)s: %(function)s() takes at least %(minimum)s arguments, not %(given)s."
            )
        elif arity.minimum == arity.maximum:
            message = _("Character %(column)s: %(function)s() takes %(minimum)s arguments, not %(given)s.")
        else:
            message = _(
                "Character %(column)s: %(function)s() takes %(minimum)s or %(maximum)s arguments, "
                "not %(given)s."
            )
        raise _error(
            message,
            name.column,
            function=name.text,
            minimum=arity.minimum,
            maximum=arity.maximum,
            given=given,
        )

    def check_arguments(self, call: Call) -> None:
        """Refuse what the text alone shows to be wrong: decimal places that are not a small whole number,
        and literal clamp bounds in the wrong order."""
        if call.function == "round" and len(call.arguments) == 2:
            places = call.arguments[1]
            if not (
                isinstance(places, Number)
                and places.value == places.value.to_integral_value()
                and 0 <= places.value <= MAX_ROUND_PLACES
            ):
                message = _(
                    "Character %(column)s: round() takes a whole number from 0 to %(limit)s decimal places."
                )
                raise _error(message, _first_column(places), limit=MAX_ROUND_PLACES)
        if call.function == "clamp":
            low, high = (_literal(argument) for argument in call.arguments[1:])
            if low is not None and high is not None and low > high:
                raise _clamp_bounds_error(call.column, code=ErrorCode.FORMULA_INVALID)


def _literal(node: Node) -> Decimal | None:
    """Return the value of a number or a negated number, None for anything else."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Negate) and isinstance(node.operand, Number):
        return -node.operand.value
    return None


def _first_column(node: Node) -> int:
    """Return the column where the text of `node` starts (a binary operator's column is in its middle)."""
    while isinstance(node, Binary):
        node = node.left
    return node.column


def formula_parse(text: str, *, names: Collection[str]) -> Formula:
    """Parse `text` into a Formula over the parts `names`; see the module docstring for the grammar.

    Refuses (FormulaError, code assessment_formula_invalid, field `formula`, with the 1-based `column` of the
    fault) an empty or over-long text, a character outside the language, a malformed number, an unknown part
    or function, a function with the wrong number of arguments, unbalanced parentheses, trailing text, and
    nesting deeper than MAX_DEPTH. Pure: reads nothing else and never evaluates anything.
    """
    if len(text) > MAX_LENGTH:
        message = _(
            "Character %(column)s: a formula has at most %(limit)s characters; this one has %(length)s."
        )
        raise _error(message, MAX_LENGTH + 1, limit=MAX_LENGTH, length=len(text))
    tokens = _tokenize(text.translate(_NORMALISE))
    if tokens[0].kind == "end":
        raise _error(_("The formula is empty."), 1)
    return Formula(_Parser(tokens, names).formula(), text)
