"""Journeys of assessment (绩效考核): an agent reads his published scorecard of last month, line by line, with
the rows behind each number and the bad review left out after his appeal; another agent may not open it.
Then a whole cycle through the pages: self-assessment, scoring, calibration, approval, acknowledgement and an
appeal decided by someone independent. And the cycle pages at a desk's and a phone's width, photographed.

The demo holds last month's final cycle of the scheme "agents-monthly" (charter/demo/assessment_story.py);
the cycle journey makes a scheme, a team and its people of its own, since it changes what it touches.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, PHONE, WIDE, Site, Watch, sign_in, words

SHOTS = Path("/tmp/shots")  # noqa: S108 - photographs for the reader of the report, not committed
DEMO_SCHEME = "agents-monthly"


def say(language: str, msgid: str, context: str = "") -> str:
    """`msgid` as the reader of `language` sees it (the catalogues the server uses)."""
    from django.utils import translation

    with translation.override(language):
        return translation.pgettext(context, msgid) if context else translation.gettext(msgid)


def say_lazy(language: str, text: object) -> str:
    """A lazy translation (an indicator's formula, say) as the reader of `language` sees it."""
    from django.utils import translation

    with translation.override(language):
        return str(text)


def shoot(page: Page, name: str, language: str) -> Path:
    """Photograph the whole page to /tmp/shots/<name>-<language>-<width>.png and return the path; at a
    phone's width, first check that nothing makes the page wider than the window."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    if width <= PHONE["width"]:
        scroll = int(page.evaluate("document.documentElement.scrollWidth"))
        assert scroll <= width, f"{page.url} is {scroll}px wide on a {width}px phone"
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}-{language}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def demo_scorecard(username: str) -> int:
    """The id of `username`'s scorecard in the demo's final cycle (last month)."""
    from charter.assessment.models import Scorecard

    card = Scorecard.objects.get(
        person__username=username, cycle__scheme__code=DEMO_SCHEME, cycle__status="final"
    )
    return card.pk


# --- Journey 1: reading a published scorecard ---------------------------------------------------------------


def test_an_agent_reads_his_scorecard_line_by_line_and_nobody_else_may(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from charter.assessment.indicators import INDICATORS
    from charter.assessment.models import Appeal, Scorecard, ScorecardLine
    from charter.surveys.models import AssessmentExclusion, Response

    card = Scorecard.objects.select_related("cycle").get(pk=demo_scorecard("li.agent"))
    li, _ = browse(language)
    sign_in(li, site, "li.agent")
    li.goto(site.at("/desk/"))
    nav = li.locator(".desk-nav a[href='/desk/assessment/']")
    expect(nav).to_have_text(say(language, "Assessment", "desk nav"))
    nav.click()
    expect(li).to_have_url(site.at("/desk/assessment/"))
    li.locator("[data-testid=assessment-own] a").first.click()  # his latest scorecard (this month)
    li.locator(".subnav a[href='/desk/assessment/mine/']").click()
    expect(li).to_have_url(site.at("/desk/assessment/mine/"))
    li.locator(f"[data-testid=my-scorecards] a[href$='/scorecards/{card.pk}/']").click()
    expect(li.locator("main h1")).to_contain_text(str(card.person))

    # Each indicator: its formula in words, the snapshot's value and its sample.
    indicators = ScorecardLine.objects.filter(scorecard=card, kind=ScorecardLine.Kind.INDICATOR)
    assert indicators.count() == 5
    for line in indicators:
        article = li.locator(f"[data-testid=line-{line.code}]")
        expect(article).to_contain_text(say_lazy(language, INDICATORS[line.code].formula_text))
        facts = article.locator("dl.facts")
        sample = facts.locator(f"dt:text-is('{say(language, 'Sample size')}') + dd")
        expect(sample).to_have_text(str(line.sample))
        value = facts.locator(f"dt:text-is('{say(language, 'Value')}') + dd")
        if line.value is not None:
            expect(value).to_contain_text(str(line.value))
        else:
            expect(value).to_contain_text(say(language, "no value (no sample)"))

    # The CSAT line opens onto the answers behind it, each linked to its case, and the excluded bad review.
    excluded = Response.objects.filter(
        handler__username="li.agent",
        assessment_exclusion=AssessmentExclusion.APPEAL_UPHELD,
        submitted_at__date__gte=card.cycle.period_start - dt.timedelta(days=1),
        submitted_at__date__lte=card.cycle.period_end + dt.timedelta(days=1),
    )
    assert excluded.exists(), "the demo's bad review of Li, excluded on appeal, is missing"
    csat = li.locator("[data-testid=evidence-csat_satisfied]")
    csat.locator("summary").click()
    links = csat.locator("tbody a")
    expect(links.first).to_be_visible()
    assert (links.first.get_attribute("href") or "").startswith("/desk/cases/")
    marked = csat.locator("tbody tr", has=li.locator(".badge.warn"))
    expect(marked.first).to_contain_text(words(language, "不计入考核", "Excluded from assessment"))
    expect(marked.first).to_contain_text(say_lazy(language, AssessmentExclusion.APPEAL_UPHELD.label))
    expect(marked.first.locator("a")).to_have_count(1)  # the excluded answer's case, linked too
    left_out = li.locator("[data-testid=line-csat_satisfied] dl.facts").locator(
        f"dt:text-is('{say(language, 'Rows left out')}') + dd"
    )
    csat_line = indicators.get(code="csat_satisfied")
    assert csat_line.excluded >= 1
    expect(left_out).to_have_text(str(csat_line.excluded))
    shoot(li, "scorecard", language)

    # The appeal's outcome.
    appeal = Appeal.objects.get(scorecard=card)
    assert appeal.status == Appeal.Status.UPHELD
    outcome = li.locator("[data-testid=scorecard-appeal]")
    expect(outcome).to_contain_text(say_lazy(language, Appeal.Status.UPHELD.label))
    expect(outcome).to_contain_text(appeal.decision)

    # A case behind the number opens for him.
    with li.expect_navigation():
        links.first.click()
    expect(li.locator("main h1")).to_be_visible()

    # Another agent asking for Li's scorecard is told there is no such page.
    zhao, zhao_watch = browse(language)
    zhao_watch.allow(rf"404.*/desk/assessment/scorecards/{card.pk}/")
    sign_in(zhao, site, "zhao.agent")
    answer = zhao.goto(site.at(f"/desk/assessment/scorecards/{card.pk}/"))
    assert answer is not None and answer.status == 404
    expect(zhao.locator("main h1")).to_have_text(say(language, "Page not found"))
    expect(zhao.locator("main")).not_to_contain_text(str(card.person))


# --- Journey 2: a cycle through the pages ------------------------------------------------------------------


@dataclass
class Assessed:
    """A team of its own (a lead and an agent) covered by a published scheme; its cycle of last month."""

    cycle_id: int
    card_id: int
    agent: str
    lead: str


def assessed_team(language: str) -> Assessed:
    """Make, through the services, a team with its lead and one agent (signing in with the demo password), a
    scheme covering it that affects pay and was published before last month (moved back in time as the demo
    does), and last month's cycle, open at self-assessment."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from charter.accounts.models import OrgUnit, User
    from charter.accounts.roles import Role
    from charter.accounts.services import team_create, team_member_add, user_create
    from charter.assessment.cycles import cycle_open
    from charter.assessment.models import SchemeVersion, Scorecard
    from charter.assessment.schemes import scheme_create, scheme_version_draft_update, scheme_version_publish
    from charter.standards.models import StandardClause, StandardDocument
    from tests.assessment.factories import agent_content

    tag = f"{language[:2]}{uuid.uuid4().hex[:6]}"
    admin = User.objects.get(username="admin")
    unit = OrgUnit.objects.order_by("pk").first()
    assert unit is not None
    team = team_create(
        actor=None, unit=unit, code=f"kh-{tag}", name_zh=f"考核班组{tag}", name_en=f"Team {tag}"
    )
    lead = user_create(
        actor=None,
        username=f"lead.{tag}",
        password=DEMO_PASSWORD,
        display_name=words(language, f"周班长{tag}", f"Lead {tag}"),
        roles=[Role.SUPERVISOR],
    )
    agent = user_create(
        actor=None,
        username=f"agent.{tag}",
        password=DEMO_PASSWORD,
        display_name=words(language, f"吴服务员{tag}", f"Agent {tag}"),
        roles=[Role.AGENT],
    )
    team_member_add(actor=None, team=team, user=lead, is_lead=True)
    team_member_add(actor=None, team=team, user=agent)

    clause = (
        StandardClause.objects.filter(
            version__status="published",
            version__document__kind=StandardDocument.Kind.CODE_OF_CONDUCT,
            category=StandardClause.Category.ATTITUDE,
        )
        .order_by("sort_key")
        .first()
    )
    scheme = scheme_create(
        actor=admin,
        code=f"journey-{tag}",
        name_zh=f"班组考核方案{tag}",
        name_en=f"Team scheme {tag}",
        team_ids=[team.pk],
    )
    assert Group.objects.filter(name=str(Role.AGENT)).exists()
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    draft = scheme.versions.get()
    content = agent_content(clause=clause, effective_from=today + dt.timedelta(days=1))
    scheme_version_draft_update(actor=admin, version=draft, content=content)
    version = scheme_version_publish(actor=admin, version=draft)
    # Published to the staff before the period it applies to (the law for a scheme affecting pay).
    published = dt.datetime.combine(last_month - dt.timedelta(days=10), dt.time(10), tzinfo=dt.UTC)
    SchemeVersion._base_manager.filter(pk=version.pk).update(
        published_at=published, effective_from=last_month
    )
    cycle = cycle_open(actor=admin, scheme=scheme, period_start=last_month)
    card = Scorecard.objects.get(cycle=cycle, person=agent)
    return Assessed(cycle_id=cycle.pk, card_id=card.pk, agent=agent.username, lead=lead.username)


def score_the_lead(assessed: Assessed) -> None:
    """The lead's own scorecard is scored by whoever assesses him (his unit's lead, or the administrator)."""
    from charter.accounts.models import User
    from charter.assessment.cycles import scorecard_score
    from charter.assessment.models import Scorecard

    card = Scorecard.objects.select_related("cycle", "assessor").get(
        cycle_id=assessed.cycle_id, person__username=assessed.lead
    )
    scorer = card.assessor or User.objects.get(username="admin")
    scorecard_score(
        actor=scorer,
        scorecard=card,
        ratings={"attitude": 80},
        comment="班组管理到位。",
        expected_version=card.lock_version,
    )


def cycle_step(page: Page, do: str) -> None:
    """Press the cycle page's button of `do` (advance, approve, ...)."""
    form = page.locator(f"[data-testid=cycle-actions] form:has(input[name=do][value={do}])")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator(".messages .success")).to_be_visible()


def test_a_cycle_runs_from_self_assessment_to_a_decided_appeal(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from charter.assessment.models import Appeal, Cycle, Scorecard

    assessed = assessed_team(language)
    cycle_url = site.at(f"/desk/assessment/cycles/{assessed.cycle_id}/")
    card_path = f"/desk/assessment/scorecards/{assessed.card_id}/"

    # The agent writes his self-assessment from the assessment home.
    agent, _ = browse(language)
    sign_in(agent, site, assessed.agent)
    agent.goto(site.at("/desk/assessment/"))
    agent.locator(f"[data-testid=todo-self] a[href$='{card_path}']").click()
    own = agent.locator("[data-testid=self-form]")
    own.locator("input[name=rating_self_review]").fill("88")
    own.locator("textarea[name=comment]").fill(
        words(language, "本月按时回复全部来电，协助新人熟悉业务。", "Answered every call on time.")
    )
    with agent.expect_navigation():
        own.locator("button[type=submit]").click()
    expect(agent.locator("[data-testid=result-pending]")).to_be_visible()
    assert Scorecard.objects.get(pk=assessed.card_id).status == Scorecard.Status.SUPERVISOR

    # The administrator moves the cycle on to the supervisor's scoring.
    admin, _ = browse(language)
    sign_in(admin, site, "admin")
    admin.goto(cycle_url)
    cycle_step(admin, "advance")
    assert Cycle.objects.get(pk=assessed.cycle_id).status == Cycle.Status.SUPERVISOR

    # The lead scores: a rating above 100 is refused on its field, the input kept; then a valid one.
    lead, lead_watch = browse(language)
    lead_watch.allow(rf"400.*{card_path}")
    sign_in(lead, site, assessed.lead)
    lead.goto(site.at("/desk/assessment/"))
    lead.locator(f"[data-testid=todo-score] a[href$='/cycles/{assessed.cycle_id}/']").click()
    lead.locator(f"[data-testid=cycle-scorecards] tr[data-person='{assessed.agent}'] a").click()
    score = lead.locator("[data-testid=score-form]")
    score.locator("input[name=rating_attitude]").fill("150")
    remark = words(language, "服务用语规范，高峰期仍保持耐心。", "Courteous, patient at peak hours.")
    score.locator("textarea[name=comment]").fill(remark)
    with lead.expect_navigation():
        score.locator("button[type=submit]").click()
    score = lead.locator("[data-testid=score-form]")
    field = score.locator(".field:has(input[name=rating_attitude])")
    expect(field.locator(".error")).to_be_visible()
    expect(field.locator("input")).to_have_value("150")
    expect(score.locator("textarea[name=comment]")).to_have_value(remark)
    field.locator("input").fill("86")
    with lead.expect_navigation():
        score.locator("button[type=submit]").click()
    assert Scorecard.objects.get(pk=assessed.card_id).status == Scorecard.Status.SCORED
    score_the_lead(assessed)

    # Calibration: a grade changed without a reason is refused, then changed with one.
    admin.goto(cycle_url)
    cycle_step(admin, "advance")
    assert Cycle.objects.get(pk=assessed.cycle_id).status == Cycle.Status.CALIBRATION
    shoot(admin, "cycle", language)
    admin.locator(f".subnav a[href$='/cycles/{assessed.cycle_id}/calibration/']").click()
    row = admin.locator(f"[data-testid=calibration-card][data-person='{assessed.agent}']")
    row.locator("select[name$=grade]").select_option("pass")
    reason = row.locator("textarea[name$=reason]")
    reason.fill("")
    row.locator("button[type=submit]").click()  # the browser asks for the reason first
    assert reason.evaluate("el => el.validity.valueMissing") is True
    reason.evaluate("el => el.removeAttribute('required')")  # and so does the server
    with admin.expect_navigation():
        row.locator("button[type=submit]").click()
    row = admin.locator(f"[data-testid=calibration-card][data-person='{assessed.agent}']")
    expect(row.locator(".field:has(textarea) .error")).to_have_text(
        say(language, "Say why the grade changes.")
    )
    expect(row.locator("select[name$=grade]")).to_have_value("pass")
    assert Scorecard.objects.get(pk=assessed.card_id).grade != "pass"
    why = words(language, "本月两次超时未回复，下调一档。", "Two late replies: one grade down.")
    row.locator("textarea[name$=reason]").fill(why)
    with admin.expect_navigation():
        row.locator("button[type=submit]").click()
    card = Scorecard.objects.get(pk=assessed.card_id)
    assert (card.grade, card.grade_reason) == ("pass", why)
    expect(admin.locator(f"[data-testid=calibration-card][data-person='{assessed.agent}']")).to_contain_text(
        why
    )
    shoot(admin, "calibration", language)
    phone, _ = browse(language, viewport=PHONE)
    sign_in(phone, site, "admin")
    phone.goto(site.at(f"/desk/assessment/cycles/{assessed.cycle_id}/calibration/"))
    shoot(phone, "calibration", language)
    phone.goto(cycle_url)
    shoot(phone, "cycle", language)

    # On to the head's approval, approved and published.
    admin.goto(cycle_url)
    cycle_step(admin, "advance")
    cycle_step(admin, "approve")
    assert Cycle.objects.get(pk=assessed.cycle_id).status == Cycle.Status.PUBLISHED

    # The agent acknowledges his scorecard and appeals.
    agent.goto(site.at("/desk/assessment/"))
    agent.locator(f"[data-testid=todo-acknowledge] a[href$='{card_path}']").click()
    expect(agent.locator("[data-testid=scorecard-result]")).to_contain_text(words(language, "合格", "Pass"))
    with agent.expect_navigation():
        agent.locator("[data-testid=acknowledge-form] button[type=submit]").click()
    grounds = words(
        language, f"超时系系统故障所致，请复核。{assessed.agent}", f"The system was down. {assessed.agent}"
    )
    appeal_form = agent.locator("[data-testid=appeal-form]")
    appeal_form.locator("textarea[name=reason]").fill(grounds)
    with agent.expect_navigation():
        appeal_form.locator("button[type=submit]").click()
    appeal = Appeal.objects.get(scorecard_id=assessed.card_id)
    assert appeal.reason == grounds and appeal.status == Appeal.Status.PENDING
    expect(agent.locator("[data-testid=scorecard-appeal]")).to_contain_text(grounds)

    # The lead who scored it sees the appeal but may not decide it.
    lead.goto(site.at("/desk/assessment/appeals/"))
    lead.locator(f"main a[href$='/appeals/{appeal.pk}/']").first.click()
    expect(lead.locator("main")).to_contain_text(grounds)
    expect(lead.locator("[data-testid=appeal-decide]")).to_have_count(0)

    # sun.qa (QA reviewer, independent of it) upholds it with a new grade.
    qa, _ = browse(language)
    sign_in(qa, site, "sun.qa")
    qa.goto(site.at("/desk/assessment/"))
    qa.locator(f"[data-testid=todo-appeal] a[href$='/appeals/{appeal.pk}/']").click()
    decide = qa.locator("[data-testid=appeal-decide]")
    decide.locator("input[name=status][value=upheld]").check()
    decide.locator("select[name=new_grade]").select_option("good")
    decision = words(
        language, "运维记录证实超时系系统故障，恢复原等级。", "The outage is logged: grade restored."
    )
    decide.locator("textarea[name=decision]").fill(decision)
    with qa.expect_navigation():
        decide.locator("button[type=submit]").click()
    upheld = say_lazy(language, Appeal.Status.UPHELD.label)
    expect(qa.locator("[data-testid=appeal-status]")).to_have_text(upheld)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.new_grade) == (Appeal.Status.UPHELD, "good")

    # His scorecard shows the new grade, and its timeline every step.
    agent.goto(site.at(card_path))
    result = agent.locator("[data-testid=scorecard-result]")
    expect(result).to_contain_text(words(language, "良好", "Good"))
    expect(agent.locator("[data-testid=scorecard-appeal]")).to_contain_text(decision)
    timeline = agent.locator("[data-testid=scorecard-timeline]")
    for action in (
        "Self-assessment submitted",
        "Scored by the supervisor",
        "Grade changed at calibration",
        "Approved by the head",
        "Acknowledged by the person",
        "Appeal filed",
        "Appeal decided",
    ):
        expect(timeline).to_contain_text(say(language, action))


# --- The pages at a desk's and a phone's width -------------------------------------------------------------


def test_the_scorecard_and_cycle_pages_fit_a_desk_and_a_phone(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from charter.assessment.models import Scorecard

    card = Scorecard.objects.select_related("cycle").get(pk=demo_scorecard("li.agent"))
    for viewport in (WIDE, PHONE):
        li, _ = browse(language, viewport=viewport)
        sign_in(li, site, "li.agent")
        li.goto(site.at(f"/desk/assessment/scorecards/{card.pk}/"))
        li.locator("[data-testid=evidence-csat_satisfied] summary").click()
        shoot(li, "scorecard-demo", language)
        admin, _ = browse(language, viewport=viewport)
        sign_in(admin, site, "admin")
        admin.goto(site.at(f"/desk/assessment/cycles/{card.cycle_id}/"))
        expect(admin.locator("[data-testid=cycle-scorecards]")).to_contain_text(str(card.person))
        shoot(admin, "cycle-demo", language)
        admin.goto(site.at(f"/desk/assessment/cycles/{card.cycle_id}/calibration/"))
        expect(admin.locator("[data-testid=calibration-team]").first).to_be_visible()
        shoot(admin, "calibration-demo", language)
