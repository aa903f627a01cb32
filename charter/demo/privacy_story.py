"""The demo's data-subject requests (issue 16): the data protection officer and two requests.

- `qian.privacy` (钱数据保护专员 Qian) holds the role 数据保护专员: he handles customers' data requests, reads
  the personal-data log and manages retention. Like every holder of data-request rights he signs in with the
  demo's published authenticator.
- 刘晓梅 (`liu.customer`) asked in the portal twelve days ago for a copy of her personal data; Qian took it
  and completed it three days ago: the ZIP (her profile, cases, messages, files, survey answers, consents and
  requests) waits for her on /portal/privacy/, and the desk shows the request as completed.
- 陈建国 telephoned four days ago asking for his data to be erased; Qian recorded it, noting how he verified
  the caller's identity (a call back to the number on file and the last four digits of his ID). It waits in
  the desk's list, received, due in working days by the default calendar.

Everything goes through the services, as in the other stories; what belongs to the past is made now and then
moved back in time through the base manager (the services stamp the time it is now). Safe to run twice.
"""

import datetime as dt

from django.utils import timezone

from charter.accounts.demo import DEMO_PASSWORD, demo_second_factor_enrol
from charter.accounts.models import Customer, User
from charter.accounts.roles import Role
from charter.accounts.selectors import customer_find_by_phone
from charter.accounts.services import user_create
from charter.privacy.models import DataSubjectRequest
from charter.privacy.requests import (
    data_request_complete,
    data_request_create,
    data_request_due,
    data_request_take,
)

OFFICER = "qian.privacy"
CHEN_PHONE = "13987654321"  # 陈建国 (accounts' demo)


def _officer(actor: User) -> User:
    officer = User.objects.filter(username=OFFICER).first()
    if officer is None:
        officer = user_create(
            actor=actor,
            username=OFFICER,
            password=DEMO_PASSWORD,
            email=f"{OFFICER}@demo.charter.example",
            display_name="钱数据保护专员 Qian",
            roles=[Role.PRIVACY_OFFICER],
        )
    demo_second_factor_enrol(users=[officer])
    return officer


def _backdate(request: DataSubjectRequest, *, received: dt.datetime, completed: dt.datetime | None) -> None:
    """Move a request made now back to when it was received (and answered), its deadline with it."""
    DataSubjectRequest._base_manager.filter(pk=request.pk).update(
        received_at=received,
        due_at=data_request_due(received),
        completed_at=completed,
        created_at=received,
    )


def demo_privacy_story_load(*, actor: User) -> None:
    """Create the data protection officer and the demo's two data requests, unless they exist."""
    officer = _officer(actor)
    if DataSubjectRequest.objects.exists():
        return
    now = timezone.now()
    liu = Customer.objects.filter(user__username="liu.customer").first()
    if liu is not None and liu.user is not None:
        access = data_request_create(
            actor=liu.user,
            customer=liu,
            kind=DataSubjectRequest.Kind.ACCESS,
            details="请提供我的全部个人信息副本。",
        )
        access = data_request_take(actor=officer, request=access)
        access = data_request_complete(
            actor=officer,
            request=access,
            outcome="已整理您在本单位的全部个人信息（资料、工单、留言、附件、满意度评价、同意记录），"
            "请下载 ZIP 文件。",
        )
        _backdate(access, received=now - dt.timedelta(days=12), completed=now - dt.timedelta(days=3))
    chen = customer_find_by_phone(phone=CHEN_PHONE).filter(anonymised_at__isnull=True).first()
    if chen is not None:
        erasure = data_request_create(
            actor=officer,
            customer=chen,
            kind=DataSubjectRequest.Kind.ERASURE,
            channel=DataSubjectRequest.Channel.PHONE,
            identity_verification="回拨客户预留电话，核对身份证号后四位",
            details="客户来电要求删除其个人信息，工单记录可匿名保留。",
        )
        _backdate(erasure, received=now - dt.timedelta(days=4), completed=None)
