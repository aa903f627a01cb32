"""Every write of quality: the automatic reply checks (checks), scorecards, sampling, reviews and
calibration. Import from here."""

from charter.quality.services.calibration import (
    CriterionSpread,
    calibration_agree,
    calibration_close,
    calibration_create,
    calibration_score_save,
    calibration_spread,
)
from charter.quality.services.checks import (
    CheckConfiguration,
    Issue,
    check_setting_save,
    findings_from_replies,
    findings_record,
    phrase_rule_save,
    reply_issues,
    reply_override_record,
    reply_warnings,
)
from charter.quality.services.reviews import (
    ScoreInput,
    review_acknowledge,
    review_dispute,
    review_dispute_decide,
    review_scores_save,
    review_submitted_listener_register,
)
from charter.quality.services.sampling import (
    review_sample,
    review_sample_case,
    sampling_rule_run,
    sampling_rule_save,
    sampling_run_due,
)
from charter.quality.services.scorecards import (
    criterion_delete,
    criterion_save,
    scorecard_create,
    scorecard_version_draft_create,
    scorecard_version_publish,
)

__all__ = [
    "CheckConfiguration",
    "CriterionSpread",
    "Issue",
    "ScoreInput",
    "calibration_agree",
    "calibration_close",
    "calibration_create",
    "calibration_score_save",
    "calibration_spread",
    "check_setting_save",
    "criterion_delete",
    "criterion_save",
    "findings_from_replies",
    "findings_record",
    "phrase_rule_save",
    "reply_issues",
    "reply_override_record",
    "reply_warnings",
    "review_acknowledge",
    "review_dispute",
    "review_dispute_decide",
    "review_sample",
    "review_sample_case",
    "review_scores_save",
    "review_submitted_listener_register",
    "sampling_rule_run",
    "sampling_rule_save",
    "sampling_run_due",
    "scorecard_create",
    "scorecard_version_draft_create",
    "scorecard_version_publish",
]
