"""Who may open, see, work on, check and close corrective actions: one predicate per rule, each answering a
`Decision` (charter.common.policy) that pages and the API ask and the services `require`.

Administrators see and manage every action (improvement.manage_all_corrective_actions). Supervisors open
actions and manage those of the teams they lead (improvement.manage_team_corrective_actions); QA reviewers
open actions (improvement.open_corrective_action). Anyone sees the actions he owns, opened or holds an item
of; the owner works on his own action, an item's owner marks his item done. Only those who file actions
(openers, supervisors, administrators) move one to another team. Independence: no one who has owned the action
(its owner now or before it was handed over) records its effectiveness check or closes it.

A predicate about one action first asks `can_view`, so an action outside the user's scope is refused as
hidden (404, like a missing one) everywhere.
"""

from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import team_list_led_by
from charter.common.errors import NotFoundError
from charter.common.policy import ALLOWED, Decision, allow_if, first_refusal, holds, refuse
from charter.improvement.errors import ErrorCode
from charter.improvement.models import ActionEvent, ActionItem, CorrectiveAction

# Outside the user's scope: answered exactly like an action that does not exist.
_HIDDEN = refuse(NotFoundError.default_code, _("Not found."), hidden=True)

_MANAGE_DENIED = _("You may not change this corrective action.")


def _active(user: AnyUser) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated and user.is_active else None


def _leads_team_of(user: User, action: CorrectiveAction) -> bool:
    """True when `user` leads the action's team, or a team in a unit above it (`team_list_led_by`)."""
    return action.team_id is not None and team_list_led_by(user=user).filter(pk=action.team_id).exists()


def can_open(user: AnyUser) -> Decision:
    """Allow supervisors, QA reviewers and administrators (improvement.open_corrective_action)."""
    return allow_if(
        holds(user, "improvement.open_corrective_action"),
        ErrorCode.OPEN_DENIED,
        _("You may not open corrective actions."),
    )


def can_manage_all(user: AnyUser) -> Decision:
    """Allow administrators: every corrective action is theirs to see and manage."""
    return allow_if(
        holds(user, "improvement.manage_all_corrective_actions"),
        ErrorCode.MANAGE_DENIED,
        _("You may not manage every corrective action."),
    )


def can_manage_teams(user: AnyUser) -> Decision:
    """Allow supervisors: they manage the corrective actions of the teams they lead."""
    return allow_if(
        holds(user, "improvement.manage_team_corrective_actions"),
        ErrorCode.MANAGE_DENIED,
        _("You may not manage the corrective actions of a team."),
    )


def can_see_reports(user: AnyUser) -> Decision:
    """Allow those who open or manage corrective actions; the figures cover the actions they may see."""
    return allow_if(
        bool(can_open(user) or can_manage_teams(user) or can_manage_all(user)),
        ErrorCode.VIEW_DENIED,
        _("You may not see the figures of corrective actions."),
    )


def can_view(user: AnyUser, action: CorrectiveAction) -> Decision:
    """Allow those who see `action` (the rule `corrective_action_list_visible_to` filters by): administrators,
    its owner, whoever opened it or holds one of its items, and the supervisors over its team. Anyone else
    gets a hidden refusal (404)."""
    member = _active(user)
    if member is None:
        return _HIDDEN
    if can_manage_all(member) or member.pk in (action.owner_id, action.opened_by_id):
        return ALLOWED
    if can_manage_teams(member) and _leads_team_of(member, action):
        return ALLOWED
    if ActionItem.objects.filter(action_id=action.pk, owner_id=member.pk).exists():
        return ALLOWED
    return _HIDDEN


def can_manage(user: AnyUser, action: CorrectiveAction) -> Decision:
    """Allow `user` to change `action`, add items, move it and record its check: its owner, whoever opened
    it, a supervisor over its team, or an administrator."""
    member = _active(user)
    if member is not None and (
        can_manage_all(member)
        or member.pk in (action.owner_id, action.opened_by_id)
        or (can_manage_teams(member) and _leads_team_of(member, action))
    ):
        return ALLOWED
    return first_refusal(
        lambda: can_view(user, action), lambda: refuse(ErrorCode.MANAGE_DENIED, _MANAGE_DENIED)
    )


def action_owner_ids(action: CorrectiveAction) -> set[int]:
    """The pks of everyone who has owned `action`: its owner and those named on its timeline (opened with,
    handed over from or to). One query."""
    owners = {action.owner_id}
    events = ActionEvent.objects.filter(
        action_id=action.pk, kind__in=(ActionEvent.Kind.OPENED, ActionEvent.Kind.UPDATED)
    ).values_list("data", flat=True)
    for data in events:
        for key in ("owner", "previous_owner"):
            value = data.get(key) if isinstance(data, dict) else None
            if isinstance(value, int):
                owners.add(value)
    return owners


def can_change_team(user: AnyUser, action: CorrectiveAction) -> Decision:
    """Allow `user` to move `action` to another team: one who may manage it and files actions under teams
    (opens or manages actions); a plain owner or item owner may not move it out of his supervisor's scope."""
    return first_refusal(
        lambda: can_manage(user, action),
        lambda: allow_if(
            bool(can_open(user) or can_manage_teams(user) or can_manage_all(user)),
            ErrorCode.TEAM_DENIED,
            _("You may not move this corrective action to another team."),
        ),
    )


def can_check(user: AnyUser, action: CorrectiveAction) -> Decision:
    """Allow whoever may manage `action` and has never owned it to record its effectiveness check: the check
    is independent of the owner (improvement_check_by_owner)."""
    return first_refusal(
        lambda: can_manage(user, action),
        lambda: allow_if(
            user.pk not in action_owner_ids(action),
            ErrorCode.CHECK_BY_OWNER,
            _(
                "Whoever has owned a corrective action may not check its effectiveness: "
                "someone independent must."
            ),
        ),
    )


def can_complete_item(user: AnyUser, item: ActionItem) -> Decision:
    """Allow the item's owner, and whoever may manage its action, to mark `item` done."""
    if isinstance(user, User) and user.is_active and user.pk == item.owner_id:
        return ALLOWED
    return first_refusal(
        lambda: can_view(user, item.action),
        lambda: allow_if(
            bool(can_manage(user, item.action)),
            ErrorCode.MANAGE_DENIED,
            _("You may not complete this action item."),
        ),
    )


def can_close(user: AnyUser, action: CorrectiveAction) -> Decision:
    """Allow whoever may manage `action` and has never owned it to close it (the checker may close it;
    improvement_closure_by_owner)."""
    return first_refusal(
        lambda: can_manage(user, action),
        lambda: allow_if(
            user.pk not in action_owner_ids(action),
            ErrorCode.CLOSURE_BY_OWNER,
            _(
                "The owner cannot close his own corrective action: someone who has never owned it must "
                "close it."
            ),
        ),
    )
