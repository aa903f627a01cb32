"""The satisfaction formulas, stated once: every page, export and test uses these functions.

Each function takes counts (which the database aggregates) and returns a `Metric`: the exact value as a
`Fraction` (rounded only where it is shown), the sample size n, a 95% interval as floats, and whether the
sample is small (n < SMALL_SAMPLE). With n = 0 there is no value and no interval.

CSAT (customer satisfaction), 1-5 scale
    CSAT = satisfied / answered, where satisfied counts the answers 4 or 5. A share from 0 to 1.
    Interval: Wilson score interval, p = satisfied / n, z = 1.96:
        centre = (p + z²/2n) / (1 + z²/n)
        half   = z / (1 + z²/n) · √(p(1 − p)/n + z²/4n²)
    It stays inside [0, 1] and is not empty for p = 0 or p = 1, unlike p ± z·√(p(1 − p)/n).

NPS (net promoter score), 0-10 scale
    NPS = 100 · (promoters − detractors) / answered, promoters answering 9-10, detractors 0-6 (7-8 are
    passives). From −100 to 100.
    Interval: normal approximation of the difference of two shares of one sample,
        Var(p_promoters − p_detractors) = (p_promoters + p_detractors − (p_promoters − p_detractors)²) / n
        NPS ± 100 · z · √Var, clamped to [−100, 100].
    All promoters, all detractors or all passives have no variance: the interval is the value itself, which
    the small-sample note qualifies.

CES (customer effort score), 1-7 scale (7 = very easy)
    CES = sum of the answers / answered, the mean from 1 to 7.
    Interval: mean ± z · s/√n with the sample standard deviation s (n − 1 in the denominator), clamped to
    [1, 7]; none for a single answer.

Response rate
    rate = answered / sent, over the invitations sent in the period (the answered ones among them). A share
    from 0 to 1, with a Wilson score interval as for CSAT.

Small sample: n < 30. The value is shown, with a note that it may move a lot with a few more answers.
"""

import math
from dataclasses import dataclass
from fractions import Fraction

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution
SMALL_SAMPLE = 30

CSAT_SCALE = (1, 5)
CSAT_SATISFIED_FROM = 4
NPS_SCALE = (0, 10)
NPS_PROMOTER_FROM = 9
NPS_DETRACTOR_UP_TO = 6
CES_SCALE = (1, 7)


@dataclass(frozen=True)
class Metric:
    """A measured value with its sample size and 95% interval (None when there is no answer)."""

    value: Fraction | None
    n: int
    low: float | None = None
    high: float | None = None

    @property
    def is_small_sample(self) -> bool:
        return self.n < SMALL_SAMPLE

    @property
    def has_value(self) -> bool:
        return self.value is not None

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


def _check_counts(part: int, whole: int, *others: int) -> None:
    if whole < 0 or part < 0 or any(other < 0 for other in others) or part + sum(others) > whole:
        raise ValueError(f"inconsistent counts: {part}, {others} of {whole}")


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Return the Wilson score interval of the share successes / n (n > 0), within [0, 1]."""
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def csat(*, satisfied: int, answered: int) -> Metric:
    """CSAT: the share of answers 4 or 5 among the `answered` 1-5 answers, with a Wilson interval."""
    _check_counts(satisfied, answered)
    if answered == 0:
        return Metric(None, 0)
    low, high = wilson_interval(satisfied, answered)
    return Metric(Fraction(satisfied, answered), answered, low, high)


def nps(*, promoters: int, detractors: int, answered: int) -> Metric:
    """NPS: 100 × (promoters − detractors) / answered, with a normal-approximation interval."""
    _check_counts(promoters, answered, detractors)
    if answered == 0:
        return Metric(None, 0)
    value = Fraction(100 * (promoters - detractors), answered)
    share_promoters, share_detractors = promoters / answered, detractors / answered
    difference = share_promoters - share_detractors
    variance = max(0.0, (share_promoters + share_detractors - difference * difference) / answered)
    half = 100 * Z_95 * math.sqrt(variance)
    centre = float(value)
    return Metric(value, answered, max(-100.0, centre - half), min(100.0, centre + half))


def ces(*, total: int, total_of_squares: int, answered: int) -> Metric:
    """CES: the mean of the `answered` 1-7 answers (their sum `total`), with a normal interval of the mean.

    `total_of_squares` is the sum of the squared answers, for the sample variance.
    """
    if answered < 0 or total < 0 or total_of_squares < 0:
        raise ValueError("counts must not be negative")
    if answered == 0:
        return Metric(None, 0)
    low_end, high_end = CES_SCALE
    if not low_end * answered <= total <= high_end * answered:
        raise ValueError(f"a total of {total} is outside the scale for {answered} answers")
    value = Fraction(total, answered)
    if answered == 1:
        return Metric(value, 1)
    # Exact until the square root: s² = (Σx² − (Σx)²/n) / (n − 1).
    variance = (Fraction(total_of_squares) - Fraction(total * total, answered)) / (answered - 1)
    half = Z_95 * math.sqrt(max(0.0, float(variance)) / answered)
    centre = float(value)
    return Metric(value, answered, max(float(low_end), centre - half), min(float(high_end), centre + half))


def response_rate(*, answered: int, sent: int) -> Metric:
    """Response rate: answered / sent invitations, with a Wilson interval."""
    _check_counts(answered, sent)
    if sent == 0:
        return Metric(None, 0)
    low, high = wilson_interval(answered, sent)
    return Metric(Fraction(answered, sent), sent, low, high)
