"""The ladder's proposal: repeats climb, harm and severity start higher, old records don't count."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from charter.conduct.ladder import LadderRules, PriorRecord, step_propose

AT = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
WINDOW = dt.timedelta(days=365)
SEVERITIES = ["minor", "general", "serious"]

records = st.lists(
    st.builds(
        PriorRecord,
        position=st.integers(min_value=0, max_value=8),
        effective_at=st.integers(min_value=-800, max_value=10).map(lambda days: AT + dt.timedelta(days=days)),
    ),
    max_size=8,
)
rules_strategy = st.builds(
    LadderRules,
    step_count=st.integers(min_value=1, max_value=8),
    window=st.just(WINDOW),
    harm_floor=st.one_of(st.none(), st.integers(min_value=0, max_value=8)),
    severity_floors=st.fixed_dictionaries(
        {}, optional={"general": st.integers(min_value=0, max_value=8), "serious": st.integers(0, 8)}
    ),
)


def propose(rules: LadderRules, prior: list[PriorRecord], severity: str = "minor", harm: bool = False) -> int:
    return step_propose(rules=rules, prior=prior, at=AT, severity=severity, has_harm=harm)


def test_a_first_minor_violation_proposes_the_first_step() -> None:
    assert propose(LadderRules(step_count=7, window=WINDOW), []) == 0


def test_a_repeat_within_the_window_proposes_the_next_step() -> None:
    rules = LadderRules(step_count=7, window=WINDOW)

    assert propose(rules, [PriorRecord(1, AT - dt.timedelta(days=30))]) == 2


def test_harm_starts_at_the_configured_step() -> None:
    rules = LadderRules(step_count=7, window=WINDOW, harm_floor=2)

    assert propose(rules, [], harm=True) == 2
    assert propose(rules, [], harm=False) == 0


def test_a_record_older_than_the_window_does_not_count() -> None:
    rules = LadderRules(step_count=7, window=WINDOW)

    assert propose(rules, [PriorRecord(3, AT - dt.timedelta(days=366))]) == 0


@given(rules_strategy, records, records, st.sampled_from(SEVERITIES), st.booleans())
def test_more_prior_records_never_propose_a_lower_step(
    rules: LadderRules, prior: list[PriorRecord], more: list[PriorRecord], severity: str, harm: bool
) -> None:
    assert propose(rules, prior + more, severity, harm) >= propose(rules, prior, severity, harm)


@given(rules_strategy, records, st.sampled_from(SEVERITIES), st.booleans())
def test_the_proposal_is_always_a_step_of_the_ladder(
    rules: LadderRules, prior: list[PriorRecord], severity: str, harm: bool
) -> None:
    assert 0 <= propose(rules, prior, severity, harm) < rules.step_count


@given(rules_strategy, records, st.sampled_from(SEVERITIES))
def test_harm_never_proposes_a_lower_step(
    rules: LadderRules, prior: list[PriorRecord], severity: str
) -> None:
    assert propose(rules, prior, severity, True) >= propose(rules, prior, severity, False)


@given(rules_strategy, records, records, st.sampled_from(SEVERITIES), st.booleans())
def test_records_outside_the_window_do_not_count(
    rules: LadderRules, prior: list[PriorRecord], others: list[PriorRecord], severity: str, harm: bool
) -> None:
    outside = [record for record in others if not (AT - rules.window < record.effective_at <= AT)]

    assert propose(rules, prior + outside, severity, harm) == propose(rules, prior, severity, harm)
