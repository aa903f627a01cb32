"""The reply checks against a corpus of real-sounding replies of a utility, a service hall and a bank
hotline.

tests/quality/corpus/<language>.yaml holds evasive, rude, impatient or jargon-laden replies (`bad`) and
polite, clear ones that greet properly (`good`). A bad reply counts as caught only when a wording or jargon
check flags it (a missing greeting alone does not); a good reply counts as flagged when any check raises
anything. The shipped phrase lists and patterns (migrations 0002, 0006 and 0008) must catch at least 90 % of
the bad replies and flag at most 5 % of the good ones, per language.

unseen_<language>.yaml holds replies written by someone else after the phrase lists were frozen, and never
read to tune the patterns; heldout_<language>.yaml holds 40 bad and 40 good replies committed before the
patterns were written (git log) and never used to tune them. Their figures are printed, to show how far the
checks reach beyond the phrasings they were written for; their recall must not fall below what the patterns
reached when first measured, less one or two replies' margin, and their good replies must not be flagged
more often than the corpus's. The held-out set was written by the author of the patterns: the unseen set,
written by someone else, is the more independent measure.
"""

import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils import timezone

from charter.accounts.models import User
from charter.cases.models import Case
from charter.quality import text
from charter.quality.models import Check
from charter.quality.services import reply_warnings
from charter.quality.services.checks import CheckConfiguration, reply_issues

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "corpus"
WORDING_CHECKS = {Check.IMPROPER_WORDING, Check.IMPATIENT_WORDING, Check.UNEXPLAINED_JARGON}
MIN_RECALL = 0.90
MAX_FALSE_POSITIVES = 0.05
MIN_REPLIES = 60
# Recall measured on the unseen and held-out sets once the patterns were written (zh unseen 40 %, held-out
# 90 %; en unseen 30 %, held-out 97.5 %), less a margin of one reply (unseen) or two (held-out), rounded down.
MIN_UNSEEN_RECALL = {"zh": 0.34, "en": 0.24}
MIN_HELDOUT_RECALL = {"zh": 0.84, "en": 0.92}
# A bound that only a regression (jieba reloaded, phrases recompiled per reply) breaks, even on a shared,
# busy two-core machine; the figures measured are printed.
MAX_MILLISECONDS_PER_REPLY = 250.0


def _corpus(name: str) -> tuple[list[str], list[str]]:
    data: dict[str, Any] = yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))
    return [item["text"] for item in data["bad"]], list(data["good"])


def _figures(case: Case, bad: list[str], good: list[str]) -> tuple[float, float, list[str], list[str]]:
    """Recall on `bad`, false-positive rate on `good`, and the replies missed and flagged."""
    configuration = CheckConfiguration.load()
    now = timezone.now()

    def codes(body: str) -> set[str]:
        return {
            issue.check_code
            for issue in reply_issues(
                case=case, body=body, at=now, late_clocks=(), configuration=configuration
            )
        }

    missed = [body for body in bad if not codes(body) & WORDING_CHECKS]
    flagged = [f"{body} {sorted(codes(body))}" for body in good if codes(body)]
    return 1 - len(missed) / len(bad), len(flagged) / len(good), missed, flagged


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_checks_catch_the_bad_replies_and_spare_the_good_ones(
    case: Case, member: User, language: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad, good = _corpus(f"{language}.yaml")
    unseen_bad, unseen_good = _corpus(f"unseen_{language}.yaml")
    assert len(bad) >= MIN_REPLIES and len(good) >= MIN_REPLIES
    assert len(set(bad)) == len(bad) and len(set(good)) == len(good)

    recall, false_positives, missed, flagged = _figures(case, bad, good)
    unseen_recall, unseen_false_positives, _, unseen_flagged = _figures(case, unseen_bad, unseen_good)
    heldout_bad, heldout_good = _corpus(f"heldout_{language}.yaml")
    heldout_recall, heldout_false_positives, heldout_missed, heldout_flagged = _figures(
        case, heldout_bad, heldout_good
    )
    # The time an agent waits per reply: the whole pre-send check (configuration, clocks, clauses, every
    # check), and the checks alone on a configuration read once; the reply's segmentation not cached.
    replies = bad + good
    configuration = CheckConfiguration.load()
    now = timezone.now()
    started = time.perf_counter()
    for body in replies:
        text.segment.cache_clear()
        reply_issues(case=case, body=body, at=now, late_clocks=(), configuration=configuration)
    checks_only = (time.perf_counter() - started) * 1000 / len(replies)
    started = time.perf_counter()
    for body in replies:
        text.segment.cache_clear()
        reply_warnings(case, member, body, False)
    milliseconds = (time.perf_counter() - started) * 1000 / len(replies)

    with capsys.disabled():
        print(
            f"\n[{language}] corpus: recall {recall:.1%} on {len(bad)} bad, "
            f"false positives {false_positives:.1%} on {len(good)} good; "
            f"unseen: recall {unseen_recall:.1%} on {len(unseen_bad)} bad, "
            f"false positives {unseen_false_positives:.1%} on {len(unseen_good)} good; "
            f"held-out: recall {heldout_recall:.1%} on {len(heldout_bad)} bad, "
            f"false positives {heldout_false_positives:.1%} on {len(heldout_good)} good; "
            f"{milliseconds:.1f} ms per reply checked before sending "
            f"({checks_only:.1f} ms of it the checks on a configuration read once)"
        )
        for body in missed:
            print(f"  missed: {body}")
        for body in flagged + unseen_flagged:
            print(f"  flagged: {body}")
        for body in heldout_missed:
            print(f"  held-out missed: {body}")
        for body in heldout_flagged:
            print(f"  held-out flagged: {body}")
    assert recall >= MIN_RECALL, missed
    assert false_positives <= MAX_FALSE_POSITIVES, flagged
    assert unseen_false_positives <= MAX_FALSE_POSITIVES, unseen_flagged
    assert unseen_recall >= MIN_UNSEEN_RECALL[language]
    assert len(heldout_bad) == len(heldout_good) == 40
    assert heldout_recall >= MIN_HELDOUT_RECALL[language], heldout_missed
    assert heldout_false_positives <= MAX_FALSE_POSITIVES, heldout_flagged
    assert milliseconds <= MAX_MILLISECONDS_PER_REPLY


def test_a_missing_greeting_alone_does_not_count_as_catching_a_rude_reply(case: Case) -> None:
    configuration = CheckConfiguration.load()
    issues = reply_issues(
        case=case,
        body="已为您登记，请等候通知。",
        at=timezone.now(),
        late_clocks=(),
        configuration=configuration,
    )

    assert {issue.check_code for issue in issues} == {Check.MISSING_GREETING}
    assert not {issue.check_code for issue in issues} & WORDING_CHECKS
