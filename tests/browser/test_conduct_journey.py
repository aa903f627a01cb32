"""Journey 5 (conduct): a supervisor records and decides a violation; the agent answers it in writing and
appeals; someone other than the one who decided decides the appeal."""

import datetime as dt
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site, Watch, sign_in, words


def test_a_violation_is_decided_answered_appealed_and_the_appeal_decided(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from charter.accounts.models import User
    from charter.conduct.models import Violation

    li = User.objects.get(username="li.agent")
    what = words(
        language, f"对客户说“别再打电话催了” ({language})", f"Told a customer to stop calling ({language})"
    )
    supervisor, _ = browse(language)
    sign_in(supervisor, site, "wang.supervisor")
    supervisor.goto(site.at("/desk/conduct/violations/"))
    supervisor.locator("main a[href$='/violations/new/']").first.click()
    supervisor.select_option("select[name=staff]", str(li.pk))
    supervisor.select_option("select[name=document]", index=1)
    supervisor.fill("input[name=clause_number]", "2.3")
    yesterday = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8) - dt.timedelta(days=1)).strftime(
        "%Y-%m-%dT10:00"
    )
    supervisor.fill("input[name=occurred_at]", yesterday)
    supervisor.select_option("select[name=severity]", "minor")
    supervisor.fill("textarea[name=description]", what)
    supervisor.fill(
        "textarea[name=observation]", words(language, "通话录音已核实。", "Heard on the call recording.")
    )
    with supervisor.expect_navigation():
        supervisor.locator("main form button[type=submit]").last.click()
    expect(supervisor.locator("main")).to_contain_text(what)
    violation = Violation.objects.get(description=what)

    decide = supervisor.locator(f"form[action$='/violations/{violation.pk}/decide/']")
    decide.locator("textarea[name=reason]").fill(
        words(language, "初次违反，予以教育。", "First time: education.")
    )
    with supervisor.expect_navigation():
        decide.locator("button[type=submit]").click()
    violation.refresh_from_db()
    assert violation.status == Violation.Status.AWAITING_RESPONSE

    agent, _ = browse(language)
    sign_in(agent, site, "li.agent")
    agent.goto(site.at("/desk/"))
    agent.locator(".desk-nav").get_by_role(
        "link", name=words(language, "我的违规记录", "My conduct record")
    ).click()
    agent.locator(f"main a[href$='/violations/{violation.pk}/']").first.click()
    respond = agent.locator(f"form[action$='/violations/{violation.pk}/respond/']")
    respond.locator("textarea").fill(
        words(language, "客户连续来电十次，我语气急了，已道歉。", "The caller rang ten times; I apologised.")
    )
    with agent.expect_navigation():
        respond.locator("button[type=submit]").click()
    violation.refresh_from_db()
    assert violation.response_text

    appeal = agent.locator(f"form[action$='/violations/{violation.pk}/appeal/']")
    if not appeal.count():
        # The decision takes effect once the response window closes; the worker's tick moves it on.
        Violation.objects.filter(pk=violation.pk).update(response_due_at=dt.datetime.now(dt.UTC))
        from charter.conduct.tasks import violation_deadlines_run_task

        violation_deadlines_run_task.call_local()
        agent.reload()
    appeal.locator("textarea").fill(
        words(language, "请考虑客户连续来电的情况。", "Please weigh the ten calls.")
    )
    with agent.expect_navigation():
        appeal.locator("button[type=submit]").click()
    violation.refresh_from_db()
    assert violation.status == Violation.Status.APPEALED
    expect(agent.locator("main")).to_contain_text(words(language, "已申诉", "Appealed"))

    judge, _ = browse(language)
    sign_in(judge, site, "admin")
    judge.goto(site.at(f"/desk/conduct/violations/{violation.pk}/"))
    verdict = judge.locator(f"form[action$='/violations/{violation.pk}/appeal/decide/']")
    verdict.locator("select[name=outcome]").select_option("upheld")
    verdict.locator("textarea[name=reason]").fill(
        words(language, "事实清楚，维持教育。", "Facts clear; education stands.")
    )
    with judge.expect_navigation():
        verdict.locator("button[type=submit]").click()
    violation.refresh_from_db()
    assert violation.status == Violation.Status.CLOSED
