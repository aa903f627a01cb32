"""The browser suite: Debian's Chromium, driven by Playwright, walks Charter as people do.

One live server serves the demo organisation (loaded once per run through `load_demo`, as `make run` does)
from a database of the run's own; journeys create the cases they need, so they never depend on each other.
Every page a journey opens is watched: a JavaScript error, a CSP violation or an unexpected 4xx/5xx answer
from our server fails the test. Mail goes to a real SMTP server in the test process.

These tests commit to the database, so they run in their own pytest run (`make test` runs `pytest` and then
`pytest tests/browser`); `tests/conftest.py` leaves this folder out of any run that does not name it.
"""

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.test.testcases import LiveServerThread
from django.test.utils import override_settings
from huey.contrib.djhuey import HUEY
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Response, sync_playwright

from tests.mail.servers import SmtpServer, running

# Playwright's sync API keeps an event loop running in the test thread, and Django refuses database work
# where a loop runs; nothing here is async code, so the check only gets in the way (Playwright's advice).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd narrates every SMTP command
CHROMIUM = os.environ.get("CHARTER_CHROMIUM", "/usr/bin/chromium")
# Keep Chromium off the (closed) network and quiet: no sync, no component updates, no QUIC probes.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
    "--no-default-browser-check",
]
DEMO_PASSWORD = "charter-demo-2026"  # the demo's published password
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker: Any, django_db_modify_db_settings: None) -> Iterator[None]:
    """Create the run's test database (pytest-django makes it only for tests marked django_db)."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        # django-stubs wants a mapping; Django only asks `alias in aliases`, and its own runner passes a set.
        created = setup_databases(verbosity=0, interactive=False, aliases={"default"})  # type: ignore[arg-type]
    yield
    with django_db_blocker.unblock():
        teardown_databases(created, verbosity=0)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    yield from running(SmtpServer())


@pytest.fixture(scope="session")
def demo_site(
    django_db_setup: None, django_db_blocker: Any, smtp_server: SmtpServer
) -> Iterator[dict[str, Any]]:
    """The demo organisation in the run's database, committed, with mail pointed at the SMTP server."""
    media = tempfile.mkdtemp(prefix="charter-browser-media-")
    overrides = override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=smtp_server.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        MEDIA_ROOT=media,
        CHARTER_SURVEYS_EVENT_LAG_SECONDS=0,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    overrides.enable()
    HUEY.immediate = True
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=open(os.devnull, "w"))
    try:
        yield {"media": media}
    finally:
        overrides.disable()
        shutil.rmtree(media, ignore_errors=True)


@dataclass
class Site:
    """The live server: its address, and the worker's minute tick run on demand."""

    url: str
    blocker: Any

    def at(self, path: str) -> str:
        return self.url + path

    def worker_tick(self) -> None:
        """Run what the worker does every minute (surveys, outgoing mail, SLA sweep), once, now."""
        from charter.cases.tasks import (
            case_events_publish_task,
            notifications_deliver_due_task,
            sla_sweep_task,
        )
        from charter.mail.tasks import outbound_due_send_task
        from charter.surveys.tasks import surveys_schedule_task

        tasks = (
            sla_sweep_task,
            case_events_publish_task,
            surveys_schedule_task,
            notifications_deliver_due_task,
            outbound_due_send_task,
        )
        with self.blocker.unblock():
            for task in tasks:
                task.call_local()


@pytest.fixture(scope="session")
def site(demo_site: dict[str, Any], django_db_blocker: Any) -> Iterator[Site]:
    """A threaded live server of the whole project (static files included) on a free local port."""
    with django_db_blocker.unblock():
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override={}, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        # Links in mails and pages name the address the server answers on.
        with override_settings(
            CHARTER_SITE_URL=f"http://127.0.0.1:{server.port}",
            ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ):
            yield Site(url=f"http://127.0.0.1:{server.port}", blocker=django_db_blocker)
        server.terminate()


@pytest.fixture(autouse=True)
def _sessions_apart() -> None:
    """The live server keeps its sessions where the settings say, for the whole run (not per test)."""


@pytest.fixture(autouse=True)
def _second_factor_required(_fast_and_immediate: None, settings: Any) -> None:
    """The browser suite signs people in as they do, so the second factor is required here as in
    production (the unit tests' conftest turns it off for their force_login)."""
    settings.CHARTER_SECOND_FACTOR_REQUIRED = True


@pytest.fixture(autouse=True)
def _database_open_to_the_server(django_db_blocker: Any) -> Iterator[None]:
    """Let the server's threads reach the database while a test runs (pytest-django blocks it globally)."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    # Playwright gives each launch a fresh, empty profile of its own (and refuses --user-data-dir).
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Watch:
    """What went wrong on the pages of one browser context; the test fails if anything is left here."""

    site_url: str
    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Expect a problem matching `pattern` (say, the 403 a test provokes on purpose)."""
        self.allowed.append(re.compile(pattern))

    def note(self, problem: str) -> None:
        if not any(pattern.search(problem) for pattern in self.allowed):
            self.problems.append(problem)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.note(f"console error: {message.text} ({message.location.get('url', '')})")

    def on_response(self, response: Response) -> None:
        if response.url.startswith(self.site_url) and response.status >= 400:
            self.note(f"HTTP {response.status} {response.request.method} {response.url}")


def open_page(
    chromium: Browser, site: Site, *, language: str, viewport: dict[str, int]
) -> tuple[Page, Watch]:
    """A page in a fresh context (its own cookies), speaking `language`, watched for errors."""
    context = chromium.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        locale="zh-CN" if language == "zh-hans" else "en-GB",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    watch = Watch(site_url=site.url)
    page = context.new_page()
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.note(f"page error: {error}"))
    page.on("response", watch.on_response)
    # CSP violations are reported as console errors too; listen for the event as well, to name the rule.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(site.at("/"))
    choose_language(page, language)
    return page, watch


def choose_language(page: Page, language: str) -> None:
    """Switch the interface language with the header's switch, as a visitor does."""
    button = page.locator(f".lang-switch button[value='{language}']")
    if button.get_attribute("aria-current") != "true":
        with page.expect_navigation():
            button.click()
    assert page.locator(f".lang-switch button[value='{language}']").get_attribute("aria-current") == "true"


@pytest.fixture(params=["zh-hans", "en"], ids=["zh", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test, so the teardown knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


FAILURES = Path(settings.BASE_DIR) / "var" / "browser-failures"


@pytest.fixture
def browse(
    chromium: Browser, site: Site, request: pytest.FixtureRequest
) -> Iterator[Callable[..., tuple[Page, Watch]]]:
    """Open watched pages: `browse(language)` or `browse(language, viewport=PHONE)`; checked at the end."""
    opened: list[tuple[Page, Watch]] = []

    def _open(language: str, viewport: dict[str, int] | None = None) -> tuple[Page, Watch]:
        page, watch = open_page(chromium, site, language=language, viewport=viewport or WIDE)
        opened.append((page, watch))
        return page, watch

    yield _open
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        # What the browser showed when the test failed, for whoever reads the failure.
        FAILURES.mkdir(parents=True, exist_ok=True)
        for index, (page, _watch) in enumerate(opened):
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            page.screenshot(path=str(FAILURES / f"{name}-{index}.png"), full_page=True)
    problems = [problem for _page, watch in opened for problem in watch.problems]
    for page, _watch in opened:
        page.context.close()
    assert problems == [], "\n".join(problems)


def sign_in(page: Page, site: Site, username: str) -> None:
    """Sign in through the form, as the person would; someone with an authenticator (the demo's
    administrators and supervisors) then types the code his app shows (`authenticator_code`). People the
    journey made after the demo was loaded get the demo's authenticator first when they need one, as the
    demo's own people do (`demo_second_factor_enrol`)."""
    from charter.accounts.demo import demo_second_factor_enrol
    from charter.accounts.models import User

    demo_second_factor_enrol(users=User.objects.filter(username=username))
    page.goto(site.at("/accounts/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    if page.url.startswith(site.at("/accounts/login/code/")):
        page.fill("input[name=code]", authenticator_code(username))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
    assert not page.url.startswith(site.at("/accounts/login/")), page.locator("main").inner_text()


def authenticator_code(username: str, *, fresh: bool = True) -> str:
    """The code the person's authenticator app shows now (django-otp's own TOTP over the device's key).

    A code is accepted once per 30-second step; journeys sign the same demo people in many times a minute,
    so `fresh` forgets the step last used (in the test database only) rather than waiting for the next one.
    """
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    if fresh:
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def words(language: str, zh: str, en: str) -> str:
    """The text a reader of `language` sees."""
    return zh if language == "zh-hans" else en


def page_overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when nothing sticks out)."""
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))
