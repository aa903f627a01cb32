"""Reads of the quality app: the checks' configuration, the clauses they cite, and findings by scope."""

import datetime as dt

from django.db.models import QuerySet

from charter.accounts.models import Team, User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import team_list_led_by
from charter.quality.models import CheckSetting, Finding, PhraseRule
from charter.quality.permissions import can_view_all_findings, can_view_findings
from charter.standards.models import StandardClause, StandardDocument
from charter.standards.selectors import standard_clause_in_force


def check_setting_map() -> dict[str, CheckSetting]:
    """Return the setting of every configured check, by check code."""
    return {setting.check_code: setting for setting in CheckSetting.objects.all()}


def phrase_rule_list(*, is_active_only: bool = True) -> QuerySet[PhraseRule]:
    """Return the phrase rules by category, language and phrase (only active ones unless told)."""
    rules = PhraseRule.objects.all()
    if is_active_only:
        rules = rules.filter(is_active=True)
    return rules.order_by("category", "language", "phrase")


class ClauseResolver:
    """Resolves (document code, clause number) to the clause in force at one moment, each pair once."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at
        self._documents: dict[str, StandardDocument | None] = {}
        self._clauses: dict[tuple[str, str], StandardClause | None] = {}

    def clause(self, document_code: str, number: str) -> StandardClause | None:
        """Return the clause `number` of document `document_code` in force at `self.at`, or None."""
        key = (document_code, number)
        if key not in self._clauses:
            if document_code not in self._documents:
                self._documents[document_code] = StandardDocument.objects.filter(code=document_code).first()
            document = self._documents[document_code]
            self._clauses[key] = (
                None
                if document is None or not number
                else standard_clause_in_force(document=document, number=number, at=self.at)
            )
        return self._clauses[key]


def _with_rows(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    return findings.select_related("case", "agent", "team", "clause__version__document", "rule")


def finding_team_list_for(*, user: AnyUser) -> QuerySet[Team]:
    """Return the teams whose findings `user` may see: all for QA reviewers and administrators, those he
    leads (and those under them) for a supervisor, none for anyone else."""
    if not can_view_findings(user):
        return Team.objects.none()
    if can_view_all_findings(user):
        return Team.objects.all().order_by("code")
    assert isinstance(user, User)  # noqa: S101 (can_view_findings holds only for users)
    return team_list_led_by(user=user).order_by("code")


def finding_list_visible_to(*, user: AnyUser) -> QuerySet[Finding]:
    """Return the findings `user` may review, newest reply first: every finding for QA reviewers and
    administrators (quality.view_all_findings), those of the teams he leads for a supervisor, none for
    anyone without quality.view_findings."""
    if not can_view_findings(user):
        return Finding.objects.none()
    findings = Finding.objects.all()
    if not can_view_all_findings(user):
        findings = findings.filter(team__in=finding_team_list_for(user=user))
    return _with_rows(findings)


def finding_list_of_agent(*, user: AnyUser) -> QuerySet[Finding]:
    """Return the findings about `user`'s own replies, newest first (nothing for anyone not signed in)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return Finding.objects.none()
    return _with_rows(Finding.objects.filter(agent=user))
