"""The names of the actions recorded on the audit chain, for people: every code `audit_record` is called
with, in the reader's language.

The codes stay as they were recorded (the chain's hashes cover them); this registry only names them. A
code without a name here is shown as itself, so an old or new code never breaks the viewer, and
tests/audit/test_actions.py finds every code the source records and fails for one without a name.
"""

from collections.abc import Iterable

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    # accounts
    "accounts.api_token_revoke": _("API token revoked"),
    "accounts.customer_create": _("Customer created"),
    "accounts.customer_organisation_create": _("Customer organisation created"),
    "accounts.org_unit_create": _("Organisational unit created"),
    "accounts.org_unit_delete": _("Organisational unit deleted"),
    "accounts.org_unit_move": _("Organisational unit moved"),
    "accounts.org_unit_update": _("Organisational unit changed"),
    "accounts.password_reset_request": _("Password reset requested"),
    "accounts.preferences_update": _("Preferences changed"),
    "accounts.qualification_create": _("Qualification created"),
    "accounts.probe_suspected": _("Many refused accesses (possible probing)"),
    "accounts.role_create": _("Role created"),
    "accounts.role_delete": _("Role deleted"),
    "accounts.role_permissions_set": _("Role permissions changed"),
    "accounts.second_factor_disable": _("Two-factor authentication turned off"),
    "accounts.second_factor_enrol": _("Two-factor authentication set up"),
    "accounts.second_factor_recovery_used": _("Recovery code used"),
    "accounts.signin": _("Signed in"),
    "accounts.signin_failed": _("Sign-in failed"),
    "accounts.signin_locked": _("Sign-in locked after too many failures"),
    "accounts.team_create": _("Team created"),
    "accounts.team_delete": _("Team deleted"),
    "accounts.team_lead_set": _("Team lead changed"),
    "accounts.team_member_add": _("Team member added"),
    "accounts.team_member_remove": _("Team member removed"),
    "accounts.team_update": _("Team changed"),
    "accounts.user_create": _("User created"),
    "accounts.user_password_set": _("Password set"),
    "accounts.user_roles_set": _("User's roles changed"),
    "accounts.user_update": _("User changed"),
    # assessment
    "assessment.acknowledge": _("Scorecard acknowledged"),
    "assessment.appeal_decide": _("Assessment appeal decided"),
    "assessment.appeal_file": _("Assessment appeal filed"),
    "assessment.calibrate": _("Grade calibrated"),
    "assessment.cycle_advance": _("Assessment cycle moved on"),
    "assessment.cycle_approve": _("Assessment cycle approved and published"),
    "assessment.cycle_close": _("Assessment cycle made final"),
    "assessment.cycle_open": _("Assessment cycle opened"),
    "assessment.cycle_recalculate": _("Assessment indicators calculated again"),
    "assessment.cycle_return": _("Assessment cycle sent back to calibration"),
    "assessment.ledger_export": _("Outcome ledger exported"),
    "assessment.outcomes_apply": _("Assessment outcomes recorded"),
    "assessment.plan_check_in": _("Improvement plan check-in recorded"),
    "assessment.plan_close": _("Improvement plan closed"),
    "assessment.plan_courses_add": _("Courses added to an improvement plan"),
    "assessment.plan_goal_add": _("Improvement plan goal added"),
    "assessment.plan_open": _("Improvement plan opened"),
    "assessment.scheme_acknowledge": _("Assessment scheme acknowledged"),
    "assessment.scheme_create": _("Assessment scheme created"),
    "assessment.scheme_draft_create": _("Assessment scheme draft started"),
    "assessment.scheme_draft_discard": _("Assessment scheme draft discarded"),
    "assessment.scheme_draft_update": _("Assessment scheme draft changed"),
    "assessment.scheme_publish": _("Assessment scheme published"),
    "assessment.scheme_update": _("Assessment scheme changed"),
    "assessment.score": _("Scorecard scored by the supervisor"),
    "assessment.self_submit": _("Self-assessment submitted"),
    # cases
    "cases.accept": _("Decision accepted by the customer"),
    "cases.appeal": _("Decision appealed"),
    "cases.arrival": _("Arrival on site logged"),
    "cases.assign": _("Case assigned"),
    "cases.attachment_add": _("Attachment added"),
    "cases.canned_response_create": _("Canned response created"),
    "cases.category_create": _("Case category created"),
    "cases.clock_breach": _("Time limit breached"),
    "cases.close_expired": _("Closed after the appeal period"),
    "cases.create": _("Case created"),
    "cases.customer_reply": _("Customer replied"),
    "cases.link": _("Cases linked"),
    "cases.merge": _("Cases merged"),
    "cases.note": _("Internal note added"),
    "cases.reply": _("Reply sent"),
    "cases.reply_check_override": _("Reply check overridden"),
    "cases.resolve": _("Case resolved"),
    "cases.routing_set": _("Routing set"),
    "cases.token_revoke": _("Tracking link revoked"),
    "cases.token_rotate": _("Tracking link replaced"),
    "cases.transition": _("Status changed"),
    "cases.update": _("Case details changed"),
    # catalog
    "catalog.fee_item_add": _("Fee added"),
    "catalog.fee_item_delete": _("Fee removed"),
    "catalog.fee_item_update": _("Fee changed"),
    "catalog.service_category_create": _("Service category created"),
    "catalog.service_category_update": _("Service category changed"),
    "catalog.service_commitment_add": _("Service commitment added"),
    "catalog.service_commitment_delete": _("Service commitment removed"),
    "catalog.service_commitment_update": _("Service commitment changed"),
    "catalog.service_create": _("Service created"),
    "catalog.service_draft_create": _("Service draft started"),
    "catalog.service_draft_discard": _("Service draft discarded"),
    "catalog.service_update": _("Service changed"),
    "catalog.service_version_publish": _("Service version published"),
    "catalog.service_version_update": _("Service version changed"),
    # conduct
    "conduct.ladder_step_update": _("Disciplinary step changed"),
    "conduct.ladder_update": _("Disciplinary ladder changed"),
    "conduct.violation_appeal_decided": _("Violation appeal decided"),
    "conduct.violation_appeal_window_closed": _("Time to appeal a violation ended"),
    "conduct.violation_appealed": _("Violation appealed"),
    "conduct.violation_approved": _("Disciplinary step approved"),
    "conduct.violation_decided": _("Disciplinary step decided"),
    "conduct.violation_evidence_added": _("Violation evidence added"),
    "conduct.violation_in_effect": _("Disciplinary step took effect"),
    "conduct.violation_notified": _("Staff member notified of a violation"),
    "conduct.violation_recorded": _("Violation recorded"),
    "conduct.violation_rejected": _("Disciplinary step sent back"),
    "conduct.violation_responded": _("Staff member responded to a violation"),
    "conduct.violation_response_window_closed": _("Time to respond to a violation ended"),
    # improvement
    "improvement.action_item_add": _("Action item added"),
    "improvement.action_item_complete": _("Action item completed"),
    "improvement.action_item_escalate": _("Overdue action item escalated"),
    "improvement.corrective_action_open": _("Corrective action opened"),
    "improvement.corrective_action_transition": _("Corrective action status changed"),
    "improvement.corrective_action_update": _("Corrective action changed"),
    "improvement.effectiveness_check_record": _("Effectiveness check recorded"),
    # mail
    "mail.inbound_discard": _("Received e-mail discarded"),
    "mail.inbound_retry": _("Received e-mail processed again"),
    "mail.mailbox_save": _("Mailbox saved"),
    "mail.outbound_retry": _("E-mail queued again"),
    "mail.template_reset": _("Mail template reset"),
    "mail.template_save": _("Mail template saved"),
    "mail.webhook_retry": _("Webhook delivery queued again"),
    "mail.webhook_save": _("Webhook saved"),
    # privacy
    "privacy.legal_hold_place": _("Legal hold placed"),
    "privacy.legal_hold_release": _("Legal hold released"),
    "privacy.erase": _("Customer's personal data erased"),
    "privacy.restrict": _("Processing of a customer's data restricted"),
    "privacy.restrict_lift": _("Restriction of processing lifted"),
    "privacy.retention_run": _("Retention schedule run"),
    "privacy.retention_schedule_update": _("Retention schedule changed"),
    "privacy.reveal": _("Personal data revealed"),
    "privacy.view": _("Personal data shown for work"),
    # quality
    "quality.calibration_agree": _("Calibration agreed"),
    "quality.calibration_close": _("Calibration closed"),
    "quality.calibration_create": _("Calibration created"),
    "quality.calibration_score": _("Calibration scored"),
    "quality.check_setting_save": _("Reply check setting saved"),
    "quality.criterion_delete": _("Criterion removed"),
    "quality.criterion_save": _("Criterion saved"),
    "quality.phrase_rule_save": _("Phrase rule saved"),
    "quality.review_acknowledge": _("QA review acknowledged"),
    "quality.review_dispute": _("QA review disputed"),
    "quality.review_dispute_decide": _("QA review dispute decided"),
    "quality.review_sample": _("Reply sampled for QA review"),
    "quality.review_save": _("QA review saved"),
    "quality.review_submit": _("QA review submitted"),
    "quality.sampling_rule_save": _("Sampling rule saved"),
    "quality.scorecard_create": _("Scorecard created"),
    "quality.scorecard_version_create": _("Scorecard version created"),
    "quality.scorecard_version_publish": _("Scorecard version published"),
    # reports
    "reports.disclosure_save": _("Published figures saved"),
    # sla
    "sla.calendar_assign": _("Calendar assigned"),
    "sla.calendar_create": _("Calendar created"),
    "sla.calendar_delete": _("Calendar deleted"),
    "sla.calendar_set_default": _("Default calendar set"),
    "sla.calendar_unassign": _("Calendar unassigned"),
    "sla.calendar_update": _("Calendar changed"),
    "sla.day_add": _("Special day added"),
    "sla.day_delete": _("Special day removed"),
    "sla.day_update": _("Special day changed"),
    "sla.days_import": _("Holidays imported"),
    "sla.interval_add": _("Working hours added"),
    "sla.interval_remove": _("Working hours removed"),
    "sla.policy_create": _("SLA policy created"),
    "sla.policy_delete": _("SLA policy deleted"),
    "sla.policy_reorder": _("SLA policies reordered"),
    "sla.policy_update": _("SLA policy changed"),
    "sla.target_remove": _("Time limit removed"),
    "sla.target_set": _("Time limit set"),
    "sla.targets_replace": _("Time limits replaced"),
    "sla.week_set": _("Working week set"),
    # standards
    "standards.acknowledge": _("Standard acknowledged"),
    "standards.clause_add": _("Clause added"),
    "standards.clause_delete": _("Clause removed"),
    "standards.clause_update": _("Clause changed"),
    "standards.document_create": _("Standard created"),
    "standards.document_update": _("Standard changed"),
    "standards.draft_create": _("Standard draft started"),
    "standards.draft_discard": _("Standard draft discarded"),
    "standards.draft_update": _("Standard draft changed"),
    "standards.publish": _("Standard published"),
    # surveys
    "surveys.campaign_save": _("Survey campaign saved"),
    "surveys.create": _("Survey created"),
    "surveys.draft": _("Survey draft started"),
    "surveys.publish": _("Survey published"),
    "surveys.question_add": _("Survey question added"),
    "surveys.question_remove": _("Survey question removed"),
    "surveys.recovery_update": _("Low-score follow-up updated"),
    "surveys.respond": _("Survey answered"),
    "surveys.review_appeal_decide": _("Bad-review appeal decided"),
    "surveys.review_appeal_file": _("Bad-review appeal filed"),
    "surveys.review_rectify": _("Bad-review rectification recorded"),
    "surveys.review_revisit": _("Bad-review revisit recorded"),
    "surveys.review_verify": _("Bad review verified"),
    "surveys.rule_save": _("Survey rule saved"),
    # training: courses and sessions
    "training.course_create": _("Course created"),
    "training.course_draft_create": _("Course draft started"),
    "training.course_draft_discard": _("Course draft discarded"),
    "training.course_draft_update": _("Course draft changed"),
    "training.course_publish": _("Course version published"),
    "training.course_update": _("Course settings changed"),
    "training.lesson_complete": _("Lesson marked as done"),
    "training.lesson_create": _("Lesson added"),
    "training.lesson_delete": _("Lesson removed"),
    "training.lesson_file_delete": _("Lesson file removed"),
    "training.lesson_file_upload": _("Lesson file uploaded"),
    "training.lesson_reorder": _("Lessons reordered"),
    "training.lesson_update": _("Lesson changed"),
    "training.session_attendance": _("Session attendance taken"),
    "training.session_cancel": _("Training session cancelled"),
    "training.session_code_issue": _("Session sign-in code issued"),
    "training.session_create": _("Training session scheduled"),
    "training.session_enrol": _("Enrolled in a training session"),
    "training.session_sign_in": _("Signed in to a training session"),
    "training.session_unenrol": _("Enrolment in a training session withdrawn"),
    "training.session_update": _("Training session changed"),
    # training: completion and certificates
    "training.certificate_issue": _("Certificate issued"),
    "training.certificate_revoke": _("Certificate revoked"),
    "training.complete": _("Course completed"),
    # training: assignments
    "training.assign": _("Course assigned"),
    "training.batch_carry_out": _("Course assigned to a group"),
    "training.batch_create": _("Course ordered for a group"),
    "training.waive": _("Training assignment waived"),
    # training: question banks and quizzes
    "training.attempt_grade": _("Quiz answers graded"),
    "training.attempt_start": _("Quiz attempt started"),
    "training.attempt_submit": _("Quiz attempt submitted"),
    "training.bank_create": _("Question bank created"),
    "training.bank_update": _("Question bank changed"),
    "training.category_create": _("Question category created"),
    "training.category_update": _("Question category changed"),
    "training.question_create": _("Question written"),
    "training.question_retire": _("Question retired"),
    "training.question_revise": _("Question revised"),
    "training.quiz_configure": _("Quiz configured"),
    # training: records
    "training.matrix_export": _("Training matrix exported"),
}


def action_label(code: str) -> str:
    """Return the name of action `code` in the active language, or the code itself when it has none."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def action_group(code: str) -> str:
    """Return the name of the app an action code belongs to (its prefix), e.g. "Cases" for cases.create."""
    prefix = code.split(".", 1)[0]
    try:
        return str(apps.get_app_config(prefix).verbose_name)
    except LookupError:
        return prefix


def action_choices(codes: Iterable[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return `codes` as grouped choices for a select: one group per app, the actions named and sorted."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code in sorted(set(codes)):
        groups.setdefault(action_group(code), []).append((code, action_label(code)))
    return [
        (group, sorted(members, key=lambda choice: choice[1])) for group, members in sorted(groups.items())
    ]
