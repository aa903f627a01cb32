"""Who sees a customer's name and contact, in the browser: the handler of an open case sees them on the case
page and the customer record (with the customer's past cases); a teammate who does not handle it sees them
masked. The header's case lookup opens a case in scope and answers "not found" for one out of it."""

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site, Watch, sign_in, words
from tests.browser.test_desk_journey import handler_of
from tests.browser.test_public import BILL_INQUIRY, complain_about_a_service, unique_phone


def test_the_handler_greets_the_customer_by_name_and_a_teammate_sees_a_mask(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    from charter.accounts.models import TeamMembership
    from charter.cases.models import Case

    customer, _ = browse(language)
    phone = unique_phone()
    number = complain_about_a_service(customer, site, language, phone=phone, service=BILL_INQUIRY)
    case = Case.objects.get(number=number)
    handler = handler_of(number)
    agent, _ = browse(language)
    sign_in(agent, site, handler)

    agent.goto(site.at("/desk/"))
    agent.fill("#case-lookup-q", number.lower().replace("-0000", "-"))
    with agent.expect_navigation():
        agent.press("#case-lookup-q", "Enter")
    expect(agent.locator("h1")).to_contain_text(number)
    expect(agent.locator("[data-testid=customer-name]")).to_contain_text(
        words(language, "王小二", "Jane Wang")
    )
    expect(agent.locator("[data-testid=customer-contact]")).to_contain_text(phone)

    agent.locator("[data-testid=customer-contact] a[href^='/desk/customers/']").first.click()
    expect(agent.locator("[data-testid=customer-record]")).to_contain_text(phone)
    expect(agent.locator("[data-testid=customer-cases]")).to_contain_text(number)

    teammate_name = (
        TeamMembership.objects.filter(team=case.team, user__username__endswith=".agent")
        .exclude(user__username=handler)
        .values_list("user__username", flat=True)
        .first()
    )
    if teammate_name:
        teammate, _ = browse(language)
        sign_in(teammate, site, teammate_name)
        teammate.goto(site.at(f"/desk/cases/{number}/"))
        contact = teammate.locator("[data-testid=customer-contact]")
        expect(contact).to_have_class("customer-contact masked")
        expect(contact).not_to_contain_text(phone)


def test_the_header_lookup_says_not_found_for_a_case_out_of_scope(
    browse: Callable[..., tuple[Page, Watch]], site: Site, language: str
) -> None:
    page, _ = browse(language)
    sign_in(page, site, "li.agent")
    page.goto(site.at("/desk/"))

    page.fill("#case-lookup-q", "TS-1999-000001")
    with page.expect_navigation():
        page.press("#case-lookup-q", "Enter")

    assert page.url.startswith(site.at("/desk/cases/"))
    expect(page.locator(".messages")).to_contain_text("TS-1999-000001")
