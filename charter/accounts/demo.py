"""The demo organisation: its tree, teams, staff in every role and a few customers. Idempotent."""

from collections.abc import Iterable
from dataclasses import dataclass

from charter.accounts.models import Customer, CustomerOrganisation, OrgUnit, Team, User
from charter.accounts.permissions import requires_second_factor
from charter.accounts.roles import Role
from charter.accounts.services import (
    customer_create,
    customer_organisation_create,
    org_unit_create,
    team_create,
    team_member_add,
    user_create,
)
from charter.accounts.twofactor import has_second_factor, second_factor_enrol_known

DEMO_PASSWORD = "charter-demo-2026"  # noqa: S105 (documented demo sign-in, never in production)
# The demo's published authenticator secret (README): every demo user who needs a second factor has it, so
# anyone trying the demo adds it to an authenticator app once. Base32: MNUGC4TUMVZC2ZDFNVXS2MTGMEWWWZLZ.
DEMO_TOTP_KEY_HEX = b"charter-demo-2fa-key".hex()
DEMO_TOTP_SECRET = "MNUGC4TUMVZC2ZDFNVXS2MTGMEWWWZLZ"  # noqa: S105 (the same key in base32, published)


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    roles: tuple[Role, ...]
    team: str = ""
    is_lead: bool = False


DEMO_USERS = (
    DemoUser("admin", "系统管理员 Admin", (Role.ADMINISTRATOR,)),
    DemoUser("wang.supervisor", "王主管 Wang", (Role.SUPERVISOR,), "hotline", True),
    DemoUser("li.agent", "李服务员 Li", (Role.AGENT,), "hotline"),
    DemoUser("zhao.agent", "赵服务员 Zhao", (Role.AGENT,), "hall"),
    DemoUser("chen.agent", "陈维修员 Chen", (Role.AGENT,), "repairs"),
    DemoUser("sun.qa", "孙质检 Sun", (Role.QA_REVIEWER,)),
    DemoUser("zhou.trainer", "周培训师 Zhou", (Role.TRAINER,)),
    DemoUser("liu.customer", "刘女士 Ms Liu", (Role.CUSTOMER,)),
)

UNITS = (
    # code, parent code, kind, Chinese name, English name
    (
        "demo-utilities",
        None,
        OrgUnit.Kind.ORGANISATION,
        "示范城市公用事业有限公司",
        "Demo City Utilities Co., Ltd.",
    ),
    ("service-centre", "demo-utilities", OrgUnit.Kind.BRANCH, "客户服务中心", "Customer Service Centre"),
    ("property", "demo-utilities", OrgUnit.Kind.BRANCH, "物业服务部", "Property Services"),
)
TEAMS = (
    ("hotline", "service-centre", "热线班组", "Hotline team"),
    ("hall", "service-centre", "营业厅班组", "Service hall team"),
    ("repairs", "property", "维修班组", "Repairs team"),
)


def demo_load(*, actor: User | None = None) -> User:
    """Create the demo organisation, staff and customers unless they exist; return the administrator."""
    units: dict[str, OrgUnit] = {unit.code: unit for unit in OrgUnit.objects.all()}
    for code, parent, kind, name_zh, name_en in UNITS:
        if code not in units:
            units[code] = org_unit_create(
                actor=actor,
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                kind=kind,
                parent=units[parent] if parent else None,
            )
    teams: dict[str, Team] = {team.code: team for team in Team.objects.all()}
    for code, unit, name_zh, name_en in TEAMS:
        if code not in teams:
            teams[code] = team_create(
                actor=actor, unit=units[unit], code=code, name_zh=name_zh, name_en=name_en
            )

    admin = User.objects.filter(username="admin").first()
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = user_create(
                actor=admin or actor,
                username=spec.username,
                password=DEMO_PASSWORD,
                email=f"{spec.username}@demo.charter.example",
                display_name=spec.display_name,
                roles=spec.roles,
            )
            if spec.username == "admin":
                admin = user
            if spec.team:
                team_member_add(actor=admin, team=teams[spec.team], user=user, is_lead=spec.is_lead)
    assert admin is not None  # noqa: S101 (created above)
    demo_second_factor_enrol(users=User.objects.filter(username__in=[spec.username for spec in DEMO_USERS]))

    if not Customer.objects.exists():
        company = CustomerOrganisation.objects.first() or customer_organisation_create(
            actor=admin,
            name="示范科技有限公司 Demo Tech Ltd.",
            unified_social_credit_code="91110000MA00000000",
        )
        customer_create(
            actor=admin,
            name="刘晓梅",
            phone="13812345678",
            email="liu.customer@demo.charter.example",
            id_number="110101199003071234",
            user=User.objects.get(username="liu.customer"),
        )
        customer_create(actor=admin, name="陈建国", phone="13987654321", email="chen.jg@example.com")
        customer_create(
            actor=admin,
            name="Jane Smith",
            phone="+86 150 0000 1234",
            email="jane.smith@example.com",
            organisation=company,
            language="en",
        )
    return admin


def demo_second_factor_enrol(*, users: Iterable[User]) -> None:
    """Give each of `users` who needs a second factor and has none the demo's published authenticator."""
    for user in users:
        if requires_second_factor(user) and not has_second_factor(user):
            second_factor_enrol_known(user=user, key_hex=DEMO_TOTP_KEY_HEX)


def demo_sign_ins() -> list[tuple[str, str]]:
    """The (username, roles) pairs to print for people trying the demo."""
    return [(spec.username, ", ".join(str(role) for role in spec.roles)) for spec in DEMO_USERS]
