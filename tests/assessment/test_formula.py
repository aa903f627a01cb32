"""The final formula: worked examples, every refusal with its column, then properties over random formulas."""

import decimal
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.assessment.errors import ErrorCode
from charter.assessment.formula import (
    MAX_DEPTH,
    MAX_LENGTH,
    Binary,
    Call,
    Formula,
    FormulaError,
    Name,
    Negate,
    Node,
    Number,
    formula_parse,
)
from charter.common.errors import DomainError

PARTS = ("kpi", "quality", "bonus", "deduction", "self", "supervisor")
VALUES = {
    "kpi": Decimal("88.5"),
    "quality": Decimal(90),
    "bonus": Decimal(3),
    "deduction": Decimal(2),
    "self": Decimal(95),
    "supervisor": Decimal(80),
}


def value(text: str, values: dict[str, Decimal] | None = None) -> Decimal:
    return formula_parse(text, names=PARTS).evaluate(VALUES if values is None else values)


def refusal(text: str, names: tuple[str, ...] = PARTS) -> FormulaError:
    with translation.override("en"), pytest.raises(FormulaError) as caught:
        formula_parse(text, names=names)
    return caught.value


def evaluation_refusal(text: str, values: dict[str, Decimal]) -> FormulaError:
    formula = formula_parse(text, names=PARTS)
    with translation.override("en"), pytest.raises(FormulaError) as caught:
        formula.evaluate(values)
    return caught.value


# Worked examples.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", Decimal(12)),
        ("0.5", Decimal("0.5")),
        ("2 + 3 * 4", Decimal(14)),
        ("(2 + 3) * 4", Decimal(20)),
        ("10 - 2 - 3", Decimal(5)),
        ("10-2-3", Decimal(5)),
        ("100 / 10 / 5", Decimal(2)),
        ("10 - (2 - 3)", Decimal(11)),
        ("-2 * 3", Decimal(-6)),
        ("2 * -3", Decimal(-6)),
        ("2 - -3", Decimal(5)),
        ("--4", Decimal(4)),
        ("+4", Decimal(4)),
        ("-(2 + 3)", Decimal(-5)),
        ("1 / 3", Decimal("0.3333333333333333333333333333")),
        ("min(3, 1, 2)", Decimal(1)),
        ("max(3, 1, 2)", Decimal(3)),
        ("round(2.5)", Decimal(3)),
        ("round(-2.5)", Decimal(-3)),
        ("round(1 / 3, 2)", Decimal("0.33")),
        ("round(2.345, 2)", Decimal("2.35")),
        ("clamp(120, 0, 100)", Decimal(100)),
        ("clamp(-5, 0, 100)", Decimal(0)),
        ("clamp(50, 0, 100)", Decimal(50)),
        ("clamp(5, -1, -1)", Decimal(-1)),
        ("kpi * 0.6 + quality * 0.4", Decimal("89.10")),
        ("min(self * 0.2 + supervisor * 0.8 + bonus, 100) - deduction", Decimal("84.0")),
    ],
)
def test_a_formula_evaluates_with_the_usual_precedence_and_left_associativity(
    text: str, expected: Decimal
) -> None:
    assert value(text) == expected


def test_full_width_operators_and_parentheses_typed_by_chinese_input_methods_are_read_as_ascii() -> None:
    assert (
        value("（kpi＋bonus）×2÷4－deduction")
        == (VALUES["kpi"] + VALUES["bonus"]) * 2 / 4 - VALUES["deduction"]
    )
    assert value("max（1，2）＊3／3") == Decimal(2)
    assert value("\u22122\u3000+ 5") == Decimal(3)


def test_full_width_characters_keep_their_columns_in_errors() -> None:
    assert refusal("（kpi＋）").column == 6


def test_a_formula_lists_the_parts_it_uses_and_renders_with_the_fewest_parentheses() -> None:
    formula = formula_parse(" ( kpi*0.6)+((quality)) * 0.4 - (bonus - deduction)", names=PARTS)

    assert formula.names == {"kpi", "quality", "bonus", "deduction"}
    assert str(formula) == "kpi * 0.6 + quality * 0.4 - (bonus - deduction)"
    assert str(formula_parse("-(kpi + 1) * +2", names=PARTS)) == "-(kpi + 1) * 2"
    assert str(formula_parse("round( kpi ,2 )", names=PARTS)) == "round(kpi, 2)"


def test_a_part_may_share_a_function_name_when_it_is_not_called() -> None:
    formula = formula_parse("min(min, 5)", names=("min",))

    assert formula.names == {"min"}
    assert formula.evaluate({"min": Decimal(3)}) == Decimal(3)


def test_the_callers_decimal_context_does_not_change_a_result() -> None:
    expected = value("2 / 3 + kpi")

    with decimal.localcontext(decimal.Context(prec=3, rounding=decimal.ROUND_DOWN, traps=[])):
        assert value("2 / 3 + kpi") == expected


def test_a_formula_error_is_a_domain_error_on_the_formula_field() -> None:
    error = refusal("1 +")

    assert isinstance(error, DomainError)
    assert error.field == "formula"
    assert error.code == ErrorCode.FORMULA_INVALID


# Every refusal of the parser, with its column.


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("", 1, "empty"),
        ("   ", 1, "empty"),
        ("(1 + 2", 7, "“(” at character 1 has no closing “)”"),
        ("min(1, 2", 9, "“(” at character 4 has no closing “)”"),
        ("(1 2)", 4, "an operator or “)” is expected"),
        ("max(1 2)", 7, "an operator, “,” or “)” is expected"),
        ("1 + 2)", 6, "this “)” has no matching “(”"),
        ("kpi quality", 5, "an operator (+, -, *, /) is expected"),
        ("2kpi", 2, "an operator"),
        ("1 +", 4, "a number, a part or “(” is expected"),
        ("1 + * 2", 5, "a number, a part or “(” is expected"),
        ("()", 2, "a number, a part or “(” is expected"),
        ("min(1, )", 8, "a number, a part or “(” is expected"),
        ("1.2.3", 4, "at most one decimal point"),
        ("5.", 3, "a digit is expected after the decimal point"),
        ("5.x", 3, "a digit is expected after the decimal point"),
        (".5", 1, "starts with a digit"),
        ("1e3", 2, "an operator"),
        ("1 + 中", 5, "“中” cannot be used"),
        ("１ + 2", 1, "“１” cannot be used"),
        ("1 ^ 2", 3, "“^” cannot be used"),
        ("1 +\x00", 4, "“U+0000” cannot be used"),
        (
            "kpi + salary",
            7,
            "“salary” is not a part; the parts are bonus, deduction, kpi, quality, self, supervisor",
        ),
        ("Kpi", 1, "“Kpi” is not a part"),
        ("sqrt(4)", 1, "“sqrt” is not a function"),
        ("kpi(4)", 1, "“kpi” is not a function"),
        ("min + 1", 4, "“(” is expected after the function min"),
        ("min(1)", 1, "min() takes at least 2 arguments, not 1"),
        ("round(1, 2, 3)", 1, "round() takes 1 or 2 arguments, not 3"),
        ("clamp(1, 2)", 1, "clamp() takes 3 arguments, not 2"),
        ("round(kpi, 1.5)", 12, "round() takes a whole number from 0 to 10 decimal places"),
        ("round(kpi, 11)", 12, "from 0 to 10"),
        ("round(kpi, -1)", 12, "from 0 to 10"),
        ("round(kpi, bonus)", 12, "from 0 to 10"),
        ("round(kpi, 1 + 1)", 12, "from 0 to 10"),
        ("clamp(kpi, 100, -1)", 1, "lower bound of clamp() is above its upper bound"),
    ],
)
def test_an_invalid_formula_is_refused_with_the_column_at_fault(text: str, column: int, words: str) -> None:
    error = refusal(text)

    assert error.code == ErrorCode.FORMULA_INVALID
    assert error.column == column
    assert words in str(error.message)
    assert str(error.message).startswith(f"Character {column}:") or column == 1 and "empty" in words


def test_a_formula_without_parts_to_use_says_so() -> None:
    assert "this scheme has no parts" in str(refusal("kpi", names=()).message)


def test_a_formula_longer_than_the_limit_is_refused_before_it_is_read() -> None:
    assert formula_parse("1" + " " * (MAX_LENGTH - 1), names=PARTS).evaluate({}) == 1

    error = refusal("1" + " " * MAX_LENGTH)

    assert error.column == MAX_LENGTH + 1
    assert f"at most {MAX_LENGTH} characters; this one has {MAX_LENGTH + 1}" in str(error.message)


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("(", ")"), ("-", ""), ("min(0, ", ")"), ("- (", ")")],
    ids=["parens", "signs", "calls", "mixed"],
)
def test_nesting_is_refused_past_the_limit(opening: str, closing: str) -> None:
    levels = MAX_DEPTH if opening != "- (" else MAX_DEPTH // 2
    assert formula_parse(opening * levels + "1" + closing * levels, names=PARTS).evaluate({}) in (0, 1, -1)

    error = refusal(opening * (levels + 1) + "1" + closing * (levels + 1))

    assert error.column == len(opening) * levels + 1
    assert f"nested more than {MAX_DEPTH} levels" in str(error.message)


def test_the_longest_chain_of_operators_evaluates_without_exhausting_the_stack() -> None:
    text = "+".join(["1"] * (MAX_LENGTH // 2))

    assert formula_parse(text, names=PARTS).evaluate({}) == MAX_LENGTH // 2


# Refusals of an evaluation.


def test_a_division_by_zero_is_refused_with_the_column_of_its_operator() -> None:
    error = evaluation_refusal("kpi + 1 / (bonus - 3)", VALUES)

    assert error.code == ErrorCode.FORMULA_DIVISION_BY_ZERO
    assert error.column == 9
    assert str(error.message) == "Character 9: division by zero."


def test_a_missing_value_is_refused_naming_the_part() -> None:
    error = evaluation_refusal("kpi + bonus", {"kpi": Decimal(1)})

    assert error.code == ErrorCode.FORMULA_VALUE_MISSING
    assert error.column == 7
    assert "“bonus”" in str(error.message)


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity"), 1.5, "1"])
def test_a_value_that_is_not_a_finite_decimal_is_refused(bad: object) -> None:
    error = evaluation_refusal("kpi", {"kpi": bad})  # type: ignore[dict-item]

    assert error.code == ErrorCode.FORMULA_VALUE_INVALID
    assert error.column == 1


def test_clamp_bounds_reversed_by_the_values_are_refused_at_evaluation() -> None:
    error = evaluation_refusal("clamp(kpi, bonus, deduction)", VALUES)

    assert error.code == ErrorCode.FORMULA_UNDEFINED
    assert error.column == 1


def test_a_result_out_of_decimal_range_is_refused_not_raised_as_an_arithmetic_error() -> None:
    error = evaluation_refusal("kpi * kpi", {"kpi": Decimal("1E+999000")})

    assert error.code == ErrorCode.FORMULA_UNDEFINED
    assert error.column == 5


def test_rounding_past_the_precision_is_refused() -> None:
    assert evaluation_refusal("round(kpi, 10)", {"kpi": Decimal("1E+25")}).code == ErrorCode.FORMULA_UNDEFINED


def test_error_messages_are_translated() -> None:
    with translation.override("zh-hans"), pytest.raises(FormulaError) as caught:
        formula_parse("(1 + 2", names=PARTS)

    assert str(caught.value.message) == "第 7 个字符处：第 1 个字符处的“(”缺少对应的“)”。"


# Properties.

_names = st.sampled_from(PARTS).map(Name)
_numbers = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False).map(
    Number
)


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        children.map(Negate),
        st.builds(Binary, st.sampled_from("+-*/"), children, children),
        st.builds(
            Call, st.sampled_from(["min", "max"]), st.lists(children, min_size=2, max_size=3).map(tuple)
        ),
        st.builds(lambda x: Call("round", (x,)), children),
        st.builds(lambda x, n: Call("round", (x, Number(Decimal(n)))), children, st.integers(0, 4)),
        st.builds(
            lambda x, lo, width: Call("clamp", (x, lo, Number(lo.value + width))),
            children,
            _numbers,
            st.integers(0, 50),
        ),
    )


_trees = st.recursive(st.one_of(_names, _numbers), _extend, max_leaves=12)
_values = st.fixed_dictionaries(
    {name: st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False) for name in PARTS}
)


def _outcome(formula: Formula, values: dict[str, Decimal]) -> tuple[str, object]:
    try:
        return ("value", formula.evaluate(values))
    except FormulaError as error:
        return ("error", error.code)


@settings(max_examples=300, deadline=None)
@given(_trees, _values)
def test_a_rendered_formula_parses_back_to_the_same_tree_and_value(
    tree: Node, values: dict[str, Decimal]
) -> None:
    formula = Formula(tree)

    parsed = formula_parse(str(formula), names=PARTS)

    assert parsed == formula
    assert str(parsed) == str(formula)
    assert parsed.names <= set(PARTS)
    assert _outcome(parsed, values) == _outcome(formula, values)


@settings(max_examples=200, deadline=None)
@given(_trees, _values)
def test_evaluation_is_deterministic_whatever_the_callers_context(
    tree: Node, values: dict[str, Decimal]
) -> None:
    formula = Formula(tree)
    first = _outcome(formula, values)

    with decimal.localcontext(decimal.Context(prec=5, rounding=decimal.ROUND_UP, traps=[])):
        assert _outcome(formula, values) == first
    assert _outcome(formula, dict(reversed(list(values.items())))) == first


_formula_alphabet = st.sampled_from(
    list("0123456789.+-*/(),  （）＋－×÷，_") + ["kpi", "min", "round", "clamp", "x"]
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(_formula_alphabet, max_size=40).map("".join)))
def test_any_text_is_parsed_or_refused_with_a_formula_error(text: str) -> None:
    try:
        formula = formula_parse(text, names=PARTS)
    except FormulaError as error:
        assert error.code == ErrorCode.FORMULA_INVALID
        assert 1 <= error.column <= len(text) + 1
        return
    assert formula_parse(str(formula), names=PARTS) == formula
    _outcome(formula, VALUES)
