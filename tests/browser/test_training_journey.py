"""Journeys of training (培训, issue 15), in Chinese and in English, on the demo's training story
(charter/demo/training_story.py):

1. The administrator publishes a new version of the code of conduct through the standards pages: the course
   on the code is ordered for every staff member once (the batch carried out by the worker, immediate here),
   and an agent finds it on his training page with the reason and a link to the version.
2. li.agent finds the remedial courses his QA reviews assigned him (an auto-fail on clause 5.1, a low score
   on 2.3), each with the reason (criterion and clause) and the review it came from.
3. A timed quiz refuses an answer given after the server's deadline, in the reader's language, keeping what
   was answered before.
4. li.agent downloads his certificate's PDF from his training page (its text holds the number); a stranger
   checks it at /verify/<code>/ and sees it valid, the name as printed and the course, nothing of the account.
5. zhao.agent's complaint-handling certificate has expired: the hall team's complaint waits unassigned and
   the case page says why; he renews it by reading the course's lessons, and the next complaint is his.

And the training pages at a desk's and a phone's width, photographed to /tmp/shots.
"""

import datetime as dt
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, PHONE, WIDE, Site, Watch, sign_in, words

SHOTS = Path("/tmp/shots")  # noqa: S108 - photographs for the reader of the report, not committed
CONDUCT_COURSE = "code-of-conduct"
COMPLAINTS_COURSE = "complaint-handling"
REMEDIAL_COURSE = "courteous-words"
AUTO_FAIL_COURSE = "confidentiality"


def say(language: str, msgid: str, context: str = "") -> str:
    """`msgid` as the reader of `language` sees it (the catalogues the server uses)."""
    from django.utils import translation

    with translation.override(language):
        return translation.pgettext(context, msgid) if context else translation.gettext(msgid)


def say_lazy(language: str, text: object) -> str:
    """A lazy translation (a choice's label) as the reader of `language` sees it."""
    from django.utils import translation

    with translation.override(language):
        return str(text)


def shoot(page: Page, name: str, language: str) -> Path:
    """Photograph the whole page to /tmp/shots/training-<name>-<language>-<width>.png; at a phone's width,
    first check that nothing makes the page wider than the window."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    if width <= PHONE["width"]:
        scroll = int(page.evaluate("document.documentElement.scrollWidth"))
        assert scroll <= width, f"{page.url} is {scroll}px wide on a {width}px phone"
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"training-{name}-{language}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def title(course: object, language: str) -> str:
    """A course's title as the reader of `language` sees it."""
    zh, en = getattr(course, "title_zh", ""), getattr(course, "title_en", "")
    return str(zh if language == "zh-hans" or not en else en)


def course_id(code: str) -> int:
    from charter.training.models import Course

    return Course.objects.get(code=code).pk


def fresh_agent(language: str) -> str:
    """A new agent of the hotline team (signing in with the demo password), for a journey that uses up what
    a demo agent has (quiz attempts)."""
    from charter.accounts.models import Team
    from charter.accounts.roles import Role
    from charter.accounts.services import team_member_add, user_create

    tag = f"{language[:2]}{uuid.uuid4().hex[:6]}"
    agent = user_create(
        actor=None,
        username=f"trainee.{tag}",
        password=DEMO_PASSWORD,
        display_name=words(language, f"钱学员{tag}", f"Trainee {tag}"),
        roles=[Role.AGENT],
    )
    team_member_add(actor=None, team=Team.objects.get(code="hotline"), user=agent)
    return agent.username


# --- Journey 1: a new version of the code assigns its course to every staff member, once ------------------


def test_a_new_code_version_assigns_its_course_to_every_staff_member_once(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from django.utils import timezone, translation

    from charter.accounts.models import User
    from charter.accounts.roles import Role
    from charter.accounts.selectors import staff_list
    from charter.standards.models import StandardDocument, StandardVersion
    from charter.training.models import Assignment, AssignmentBatch, Course
    from charter.training.signals import standard_version_published

    course = Course.objects.select_related("standard").get(code=CONDUCT_COURSE)
    document = course.standard
    assert isinstance(document, StandardDocument)
    agents = User.objects.filter(groups__name=str(Role.AGENT), is_active=True)
    assert agents.exists()
    # The code in force when the course was written ordered nothing (the demo's trainer ordered it himself:
    # Li and Chen done, Zhao overdue).
    earlier = StandardVersion.objects.filter(
        document=document, published_at__lt=timezone.now() - dt.timedelta(days=1)
    ).values("pk")
    assert not Assignment.objects.filter(
        course=course, source_type="standards.version", source_id__in=earlier
    ).exists()
    admin, _ = browse(language)
    sign_in(admin, site, "admin")
    admin.goto(site.at(f"/desk/standards/{document.pk}/"))
    with admin.expect_navigation():
        admin.get_by_role("button", name=say(language, "Start a new draft")).click()
    draft = StandardVersion.objects.get(document=document, status="draft")
    expect(admin).to_have_url(site.at(f"/desk/standards/{document.pk}/versions/{draft.number}/"))
    when = timezone.localtime().replace(second=0, microsecond=0)
    admin.fill("input[name=effective_at]", when.strftime("%Y-%m-%dT%H:%M"))
    with admin.expect_navigation():
        admin.locator("main form:has(input[name=effective_at]) button[type=submit]").click()
    expect(admin.locator(".messages .success")).to_contain_text(
        say(language, "Version %(number)s was published.") % {"number": draft.number}
    )
    version = StandardVersion.objects.get(pk=draft.pk)
    assert version.status == "published"

    # The worker carried the batch out at once (Huey is immediate in the browser suite).
    batch = AssignmentBatch.objects.get(
        course=course, target=AssignmentBatch.Target.STANDARD, standard_version=version
    )
    made = Assignment.objects.filter(course=course, source_type="standards.version", source_id=version.pk)
    staff = list(staff_list().values_list("pk", flat=True))
    assert sorted(made.values_list("person_id", flat=True)) == sorted(staff)
    for agent in agents:
        assert made.filter(person=agent).count() == 1, agent.username
    assert batch.due_on is not None
    # The worker hearing of the publication again (a retried task) assigns nobody twice.
    standard_version_published(version)
    assert made.count() == len(staff)
    assert AssignmentBatch.objects.filter(course=course, standard_version=version).count() == 1

    # Chen (an agent) finds it on his training page, with why and a link to the version.
    chen, _ = browse(language)
    sign_in(chen, site, "chen.agent")
    chen.goto(site.at("/desk/"))
    chen.locator(".desk-nav a[href='/desk/training/']").click()
    expect(chen).to_have_url(site.at("/desk/training/"))
    mine = made.get(person__username="chen.agent")
    row = chen.locator(f"[data-testid=assignment-{mine.pk}]")
    expect(row).to_contain_text(title(course, language))
    expect(row).to_contain_text(say_lazy(language, Assignment.Reason.STANDARD.label))
    # The reason is written once in the organisation's language, whatever the publisher's language was.
    with translation.override("zh-hans"):
        note = "Version %(number)s of %(standard)s was published: complete this course on it."
        assert mine.reason_text == translation.gettext(note) % {
            "number": version.number,
            "standard": document,
        }
    expect(row).to_contain_text(mine.reason_text)
    source = row.locator("a", has_text=say(language, "Open the source", "training"))
    assert source.get_attribute("href") == f"/desk/standards/{document.pk}/versions/{version.number}/"
    with chen.expect_navigation():
        source.click()
    expect(chen.locator("main h1")).to_be_visible()
    shoot(chen, "standard-version", language)


# --- Journey 2: the remedial courses of Li's QA reviews ----------------------------------------------------


def test_li_sees_the_remedial_courses_his_qa_reviews_assigned_with_their_reasons_and_sources(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from charter.training.models import Assignment

    li, _ = browse(language)
    sign_in(li, site, "li.agent")
    # The auto-fail on 5.1 (confidentiality) and the low score on 2.3 each assigned the course teaching it;
    # the reason text is written once, in the organisation's language (Chinese), naming criterion and clause.
    found = {}
    for code, clause, template in (
        (AUTO_FAIL_COURSE, "5.1", "QA auto-fail: %(criterion)s (%(clause)s), scored %(value)s of %(best)s"),
        (REMEDIAL_COURSE, "2.3", "QA low score: %(criterion)s (%(clause)s), scored %(value)s of %(best)s"),
    ):
        assignment = Assignment.objects.select_related("course").get(
            person__username="li.agent", course__code=code
        )
        assert assignment.reason == Assignment.Reason.QA_REVIEW
        assert assignment.source_type == "quality.review"
        assert assignment.reason_text.startswith(say("zh-hans", template).split("%(criterion)s")[0])
        assert f"{clause} " in assignment.reason_text, assignment.reason_text
        li.goto(site.at("/desk/training/"))
        row = li.locator(f"[data-testid=assignment-{assignment.pk}]")
        expect(row).to_contain_text(title(assignment.course, language))
        expect(row).to_contain_text(say_lazy(language, Assignment.Reason.QA_REVIEW.label))
        expect(row).to_contain_text(assignment.reason_text)
        source = row.locator("a", has_text=say(language, "Open the source", "training"))
        assert source.get_attribute("href") == f"/desk/quality/reviews/{assignment.source_id}/"
        with li.expect_navigation():
            source.click()
        expect(li.locator("main h1")).to_be_visible()
        found[clause] = assignment
    li.goto(site.at("/desk/training/"))
    shoot(li, "home-agent", language)
    remedial = found["5.1"]

    # The course page from the training page's start button, and its first lesson.
    with li.expect_navigation():
        li.locator(f"[data-testid=assignment-{remedial.pk}] a.button").click()
    expect(li).to_have_url(site.at(f"/desk/training/courses/{remedial.course_id}/"))
    expect(li.locator("main h1")).to_contain_text(title(remedial.course, language))
    expect(li.locator("dl.clauses")).to_contain_text("5.1")
    shoot(li, "course", language)
    with li.expect_navigation():
        li.locator("ol.lessons a").first.click()
    expect(li.locator("article.lesson-body")).not_to_be_empty()
    shoot(li, "lesson", language)


# --- Journey 3: a timed quiz refuses a late answer ---------------------------------------------------------


def test_a_timed_quiz_refuses_an_answer_after_the_servers_deadline(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from django.utils import timezone

    from charter.training.models import Attempt, AttemptItem

    username = fresh_agent(language)
    agent, watch = browse(language, viewport=PHONE)  # quizzes are taken on phones
    # The late answer is refused with 409 (the network log and Chromium's console both say so).
    watch.allow(r"409.*/desk/training/attempts/\d+/")
    sign_in(agent, site, username)
    agent.goto(site.at(f"/desk/training/courses/{course_id(CONDUCT_COURSE)}/"))
    with agent.expect_navigation():
        agent.get_by_role("link", name=say(language, "Take the quiz")).click()
    clock_rule = (
        "The clock starts when you start and keeps running if you close the page; when time is up, what you "
        "answered is submitted."
    )
    expect(agent.locator(".quiz-rules")).to_contain_text(say(language, clock_rule))
    shoot(agent, "quiz-start", language)
    with agent.expect_navigation():
        agent.get_by_role("button", name=say(language, "Start the quiz")).click()
    attempt = Attempt.objects.get(person__username=username)
    expect(agent).to_have_url(site.at(f"/desk/training/attempts/{attempt.pk}/"))
    assert attempt.deadline_at is not None and attempt.deadline_at > timezone.now()
    expect(agent.locator(".quiz-clock")).to_be_visible()

    # The first choice question, answered: saved at once by the page's script.
    choices = list(
        AttemptItem.objects.filter(attempt=attempt).exclude(question__kind="short").order_by("ordering")
    )
    assert len(choices) >= 2
    first, second = choices[0], choices[1]
    block = agent.locator(f"form#q{first.ordering}")
    block.locator("input[name=chosen]").first.check()
    expect(block.locator(".quiz-state")).to_have_text(say(language, "Saved"))
    expect(agent.locator(".quiz-answered")).to_have_text("1")  # the count follows the autosave
    first.refresh_from_db()
    assert first.answered_at is not None and first.chosen
    shoot(agent, "attempt", language)

    # The server's clock says time is up; the next answer is refused in words, and not saved.
    Attempt.objects.filter(pk=attempt.pk).update(deadline_at=timezone.now() - dt.timedelta(seconds=5))
    block = agent.locator(f"form#q{second.ordering}")
    option = block.locator("input[name=chosen]").first
    option.evaluate("input => { input.checked = true; }")  # checked without the script's autosave
    with agent.expect_navigation():
        block.locator(".quiz-save button[type=submit]").click()
    expect(agent.locator("main .error[role=alert]")).to_have_text(
        say(language, "Time is up: answers are no longer accepted. What you answered before is kept.")
    )
    second.refresh_from_db()
    assert second.answered_at is None and second.chosen == []
    first.refresh_from_db()
    assert first.answered_at is not None and first.chosen
    attempt.refresh_from_db()
    assert attempt.status != Attempt.Status.IN_PROGRESS and attempt.timed_out
    shoot(agent, "attempt-closed", language)

    # The result: submitted with what was answered in time.
    with agent.expect_navigation():
        agent.get_by_role("link", name=say(language, "See the result")).click()
    expect(agent).to_have_url(site.at(f"/desk/training/attempts/{attempt.pk}/result/"))
    expect(agent.locator("main")).to_contain_text(say(language, "submitted when time ran out"))
    shoot(agent, "result", language)


# --- Journey 4: a certificate's PDF, checked by anyone at /verify/<code>/ ----------------------------------


def test_li_downloads_his_certificate_and_a_stranger_verifies_it(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str, tmp_path: Path
) -> None:
    from charter.training.models import Certificate

    certificate = Certificate.objects.select_related("course", "person").get(
        person__username="li.agent", course__code=CONDUCT_COURSE, revoked_at__isnull=True
    )
    li, _ = browse(language)
    sign_in(li, site, "li.agent")
    li.goto(site.at("/desk/training/"))
    row = li.locator("[data-testid=training-certificates] tr", has_text=certificate.number)
    with li.expect_download() as download_info:
        row.get_by_role("link", name=say(language, "Download PDF")).click()
    download = download_info.value
    pdf = tmp_path / "certificate.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "pdftotext (poppler-utils) is missing: make test-deps"
    text = subprocess.run(  # noqa: S603 - our own file, a fixed program
        [pdftotext, "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert certificate.number in text, text
    assert certificate.holder_name in text, text

    # A stranger (no sign-in) checks it.
    stranger, _ = browse(language)
    answer = stranger.goto(site.at(f"/verify/{certificate.verification_code}/"))
    assert answer is not None and answer.status == 200
    check = stranger.locator("[data-testid=certificate-check]")
    expect(check.locator("[data-testid=certificate-state]")).to_have_text(
        say(language, "This certificate is valid.")
    )
    expect(check).to_contain_text(certificate.holder_name)
    expect(check).to_contain_text(certificate.number)
    expect(check).to_contain_text(title(certificate.course, language))
    page_text = stranger.locator("body").inner_text()
    person = certificate.person
    assert person.username not in page_text
    if person.email:
        assert person.email not in page_text
    shoot(stranger, "verify", language)


# --- Journey 5: an expired certificate keeps Zhao out of the complaints; renewing it lets him in ----------


def zhao_expired() -> None:
    """Make sure Zhao's complaint-handling certificate is expired with a renewal assignment open, as the demo
    leaves it: after a journey renewed it (the other language's), his work on it is moved back past its
    expiry and the renewal sweep's assignment made again, as the demo story does."""
    from django.db.models import F
    from django.utils import timezone

    from charter.accounts.models import QualificationGrant, User
    from charter.accounts.selectors import qualified_user_ids
    from charter.training.assignments import assignment_create
    from charter.training.models import Assignment, Certificate, Completion, Course, LessonProgress

    zhao = User.objects.get(username="zhao.agent")
    course = Course.objects.get(code=COMPLAINTS_COURSE)
    assert course.qualification_id is not None
    if not qualified_user_ids(qualification_ids=[course.qualification_id], user_ids=[zhao.pk]):
        return
    latest = Certificate._base_manager.filter(person=zhao, course=course).order_by("-pk").first()
    assert latest is not None and latest.expires_on is not None
    # Expired yesterday: still his latest grant, so the desk names this certificate's expiry.
    shift = latest.expires_on - timezone.localdate() + dt.timedelta(days=1)
    Certificate._base_manager.filter(pk=latest.pk).update(
        issued_on=F("issued_on") - shift, expires_on=F("expires_on") - shift
    )
    QualificationGrant._base_manager.filter(user=zhao, source=latest.number).update(
        valid_from=F("valid_from") - shift, valid_until=F("valid_until") - shift
    )
    Completion._base_manager.filter(person=zhao, course=course).update(completed_at=F("completed_at") - shift)
    LessonProgress._base_manager.filter(person=zhao, lesson__version__course=course).update(
        completed_at=F("completed_at") - shift
    )
    latest.refresh_from_db()
    assignment_create(
        actor=None,
        person=zhao,
        course=course,
        due_on=latest.expires_on or timezone.localdate(),
        reason=Assignment.Reason.RENEWAL,
        source_type="training.certificate",
        source_id=latest.pk,
    )
    assert not qualified_user_ids(qualification_ids=[course.qualification_id], user_ids=[zhao.pk])


def hall_complaint(title: str) -> str:
    """A complaint from the web for the service hall team (through the services); its number."""
    from charter.accounts.models import Customer, Team
    from charter.cases.services import case_create

    customer = Customer.objects.create(name="吴女士", language="zh-hans")
    case = case_create(
        actor=None,
        kind="complaint",
        channel="web",
        customer=customer,
        title=f"{title} {uuid.uuid4().hex[:4]}",
        description="营业厅排队一个多小时，窗口工作人员态度冷淡，也没有解释原因。",
        team=Team.objects.get(code="hall"),
    )
    return case.number


def test_an_expired_certificate_keeps_zhao_out_of_complaints_until_he_renews_it(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from charter.accounts.models import User
    from charter.accounts.selectors import qualified_user_ids
    from charter.cases.models import Case
    from charter.training.models import Assignment, Certificate, Course

    zhao_expired()
    zhao_user = User.objects.get(username="zhao.agent")
    course = Course.objects.select_related("qualification").get(code=COMPLAINTS_COURSE)
    expired = Certificate.objects.filter(person=zhao_user, course=course).order_by("-pk").first()
    assert expired is not None and expired.expires_on is not None

    # A complaint for the hall team waits unassigned; its page says why Zhao was left out.
    waiting = hall_complaint("营业厅排队太久")
    assert Case.objects.get(number=waiting).assignee_id is None
    lead, _ = browse(language)
    sign_in(lead, site, "admin")
    lead.goto(site.at(f"/desk/cases/{waiting}/"))
    why = lead.locator("[data-testid=routing-why]")
    expected = say(
        language, "Not routed cases needing %(qualification)s: certificate expired on %(date)s"
    ) % {
        "qualification": say_lazy(language, course.qualification),
        "date": expired.expires_on.isoformat(),
    }
    expect(why).to_contain_text(expected)
    expect(why).to_contain_text(str(zhao_user))
    shoot(lead, "case-routing-why", language)

    # The trainer's matrix shows the renewal Zhao owes.
    trainer, _ = browse(language)
    sign_in(trainer, site, "zhou.trainer")
    trainer.goto(site.at("/desk/training/"))
    shoot(trainer, "home-trainer", language)
    trainer.goto(site.at("/desk/training/matrix/"))
    expect(trainer.locator("[data-testid=matrix]")).to_contain_text(str(zhao_user))
    shoot(trainer, "matrix", language)

    # Zhao's case queue tells him too; he renews by reading every lesson of the course.
    zhao, _ = browse(language)
    sign_in(zhao, site, "zhao.agent")
    zhao.goto(site.at("/desk/cases/"))
    expect(zhao.locator("[data-testid=not-routed]")).to_contain_text(expected)
    shoot(zhao, "queue-not-routed", language)
    renewal = Assignment.objects.get(
        person=zhao_user, course=course, status=Assignment.Status.OPEN, reason=Assignment.Reason.RENEWAL
    )
    zhao.goto(site.at("/desk/training/"))
    row = zhao.locator(f"[data-testid=assignment-{renewal.pk}]")
    expect(row).to_contain_text(say_lazy(language, Assignment.Reason.RENEWAL.label))
    with zhao.expect_navigation():
        row.locator("a.button").click()
    expect(zhao).to_have_url(site.at(f"/desk/training/courses/{course.pk}/"))
    lessons = zhao.locator("ol.lessons a")
    count = lessons.count()
    assert count >= 1
    with zhao.expect_navigation():
        lessons.first.click()
    for _lesson in range(count):  # each "done" goes on to the next lesson, the last back to the course
        with zhao.expect_navigation():
            zhao.locator("main form button[type=submit].primary").click()
        expect(zhao.locator(".messages .success")).to_contain_text(say(language, "Lesson marked as done."))
    expect(zhao).to_have_url(site.at(f"/desk/training/courses/{course.pk}/"))
    renewal.refresh_from_db()
    assert renewal.status == Assignment.Status.COMPLETED
    renewed = Certificate.objects.filter(person=zhao_user, course=course).order_by("-pk").first()
    assert renewed is not None and renewed.pk != expired.pk and renewed.number != expired.number
    assert renewed.renews_id == expired.pk
    assert course.qualification_id is not None
    assert qualified_user_ids(qualification_ids=[course.qualification_id], user_ids=[zhao_user.pk])

    # His training page lists the new certificate valid and the old one expired, kept.
    zhao.goto(site.at("/desk/training/"))
    certificates = zhao.locator("[data-testid=training-certificates]")
    expect(certificates.locator("tr", has_text=renewed.number)).to_contain_text(
        say(language, "Valid", "certificate")
    )
    expect(certificates.locator("tr", has_text=expired.number)).to_contain_text(
        say(language, "Expired", "certificate")
    )
    zhao.goto(site.at("/desk/cases/"))
    expect(zhao.locator("[data-testid=not-routed]")).to_have_count(0)

    # The next complaint for the hall team is his; the desk says nothing about leaving him out.
    routed = hall_complaint("营业厅窗口推诿")
    case = Case.objects.select_related("assignee").get(number=routed)
    assert case.assignee is not None and case.assignee.username == "zhao.agent"
    zhao.goto(site.at(f"/desk/cases/{routed}/"))
    expect(zhao.locator("main h1")).to_be_visible()
    expect(zhao.locator("[data-testid=routing-why]")).to_have_count(0)


# --- The training pages at a desk's and a phone's width ----------------------------------------------------


def test_the_training_pages_fit_a_desk_and_a_phone(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from charter.training.models import Certificate, Course, Lesson

    course = Course.objects.get(code=CONDUCT_COURSE)
    lesson = (
        Lesson.objects.filter(version__course=course, version__status="published")
        .order_by("ordering")
        .first()
    )
    assert lesson is not None
    certificate = Certificate.objects.filter(person__username="chen.agent", course=course).first()
    assert certificate is not None
    for viewport in (WIDE, PHONE):
        li, _ = browse(language, viewport=viewport)
        sign_in(li, site, "li.agent")
        for name, path in (
            ("home-agent", "/desk/training/"),
            ("course", f"/desk/training/courses/{course.pk}/"),
            ("lesson", f"/desk/training/lessons/{lesson.pk}/"),
        ):
            li.goto(site.at(path))
            shoot(li, f"{name}-demo", language)
        trainer, _ = browse(language, viewport=viewport)
        sign_in(trainer, site, "zhou.trainer")
        for name, path in (("home-trainer", "/desk/training/"), ("matrix", "/desk/training/matrix/")):
            trainer.goto(site.at(path))
            shoot(trainer, f"{name}-demo", language)
        stranger, _ = browse(language, viewport=viewport)
        stranger.goto(site.at(f"/verify/{certificate.verification_code}/"))
        shoot(stranger, "verify-demo", language)
        # A quiz taken from start to result by a new agent.
        taker, _ = browse(language, viewport=viewport)
        sign_in(taker, site, fresh_agent(language))
        taker.goto(site.at(f"/desk/training/courses/{course.pk}/"))
        with taker.expect_navigation():
            taker.get_by_role("link", name=say(language, "Take the quiz")).click()
        shoot(taker, "quiz-start-demo", language)
        with taker.expect_navigation():
            taker.get_by_role("button", name=say(language, "Start the quiz")).click()
        taker.locator("form[data-autosave]").first.locator("input[name=chosen]").first.check()
        expect(taker.locator("form[data-autosave] .quiz-state").first).to_have_text(say(language, "Saved"))
        shoot(taker, "attempt-demo", language)
        with taker.expect_navigation():
            taker.locator(".quiz-bar a.button").click()
        shoot(taker, "submit-demo", language)
        with taker.expect_navigation():
            taker.locator("main form button[type=submit]").last.click()
        expect(taker).to_have_url(re.compile(r"/desk/training/attempts/\d+/result/$"))
        shoot(taker, "result-demo", language)
