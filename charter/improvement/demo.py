"""The demo's corrective action: opened from a cluster of complaints, worked through, found effective at its
check and closed by someone other than its owner, with time passing between the steps.

Every step is a service call with an explicit `at=`, and the check's figures come from stored timestamps, so
the demo may place the story in the past (or shift its timestamps afterwards) and the figures still hold.
"""

import datetime as dt
from collections.abc import Sequence

from charter.accounts.models import Team, User
from charter.cases.models import Case
from charter.catalog.models import Service
from charter.improvement.models import ActionStatus, CorrectiveAction
from charter.improvement.services import (
    action_item_add,
    action_item_complete,
    corrective_action_close,
    corrective_action_open,
    corrective_action_transition,
    effectiveness_check_record,
)

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def corrective_action_story(
    *,
    opener: User,
    owner: User,
    item_owner: User,
    closer: User,
    cases: Sequence[Case],
    root_cause: str,
    opened_at: dt.datetime,
    service: Service | None = None,
    team: Team | None = None,
    work_days: int = 14,
    check_after_days: int = 90,
) -> CorrectiveAction:
    """Tell the whole story of one corrective action from a complaint cluster and return it, closed.

    `opener` (a supervisor or QA reviewer) opens it at `opened_at` with `cases` (complaints of `root_cause`,
    and of `service` when given); `owner` starts work and, with `item_owner`, completes two items within
    `work_days`; `check_after_days` later `closer` (who has never owned the action and may manage it)
    records an effective check (the complaint figures as they stand) and closes it an hour later: the check
    and the closure are independent of the owner, and `opener` may be the owner.
    """
    action = corrective_action_open(
        actor=opener,
        title="抄表读数错误引起的集中投诉",
        source_kind="complaint_cluster",
        root_cause=root_cause,
        service=service,
        cases=cases,
        team=team,
        owner=owner,
        problem="近期多位客户投诉水费账单金额异常，经核实均为抄表读数录入错误所致。",
        correction="已为受影响客户重新抄表、更正账单并退还多收费用，逐一电话致歉。",
        cause_analysis=(
            "抄表员手工录入读数后未执行复核；系统对明显偏离历史用量的读数没有提示。"
            "培训记录显示新入职抄表员未接受复核流程培训。"
        ),
        check_after_days=check_after_days,
        at=opened_at,
    )
    corrective_action_transition(
        actor=owner, action=action, to_status=ActionStatus.IN_PROGRESS, at=opened_at + HOUR
    )
    due_on = (opened_at + work_days * DAY).date()
    review = action_item_add(
        actor=owner,
        action=action,
        description="修订抄表复核流程：读数偏离近六个月均值 50% 以上须现场复核后方可出账。",
        owner=owner,
        due_on=due_on,
        at=opened_at + 2 * HOUR,
    )
    training = action_item_add(
        actor=owner,
        action=action,
        description="对全体抄表员进行复核流程培训并考核。",
        owner=item_owner,
        due_on=due_on,
        at=opened_at + 2 * HOUR,
    )
    action_item_complete(
        actor=owner, item=review, note="新流程已发布并上线系统提示。", at=opened_at + (work_days - 3) * DAY
    )
    done_at = opened_at + (work_days - 1) * DAY
    action_item_complete(actor=item_owner, item=training, note="已培训 12 人，考核全部通过。", at=done_at)
    checked_at = done_at + check_after_days * DAY
    effectiveness_check_record(
        actor=closer,
        action=action,
        is_effective=True,
        note="同类投诉明显减少，复核流程执行到位。",
        at=checked_at,
    )
    return corrective_action_close(
        actor=closer, action=action, note="验证有效，予以关闭。", at=checked_at + HOUR
    )
