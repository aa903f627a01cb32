"""Who may open, see, work on, check and close corrective actions.

Administrators see and manage every action (improvement.manage_all_corrective_actions). Supervisors open
actions and manage those of the teams they lead (improvement.manage_team_corrective_actions); QA reviewers
open actions (improvement.open_corrective_action). Anyone sees the actions he owns, opened or holds an item
of; the owner works on his own action, an item's owner marks his item done. Only those who file actions
(openers, supervisors, administrators) move one to another team. Independence: no one who has owned the action
(its owner now or before it was handed over) records its effectiveness check or closes it.
"""

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import team_list_led_by
from charter.improvement.models import ActionEvent, ActionItem, CorrectiveAction


def _active(user: AnyUser) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated and user.is_active else None


def can_open(user: AnyUser) -> bool:
    """True for supervisors, QA reviewers and administrators (improvement.open_corrective_action)."""
    member = _active(user)
    return bool(member is not None and member.has_perm("improvement.open_corrective_action"))


def can_manage_all(user: AnyUser) -> bool:
    """True for administrators: every corrective action is theirs to see and manage."""
    member = _active(user)
    return bool(member is not None and member.has_perm("improvement.manage_all_corrective_actions"))


def can_manage_teams(user: AnyUser) -> bool:
    """True for supervisors: they manage the corrective actions of the teams they lead."""
    member = _active(user)
    return bool(member is not None and member.has_perm("improvement.manage_team_corrective_actions"))


def can_see_reports(user: AnyUser) -> bool:
    """True for those who open or manage corrective actions; the figures cover the actions they may see."""
    return can_open(user) or can_manage_teams(user) or can_manage_all(user)


def can_manage(user: AnyUser, action: CorrectiveAction) -> bool:
    """True when `user` may change `action`, add items, move it and record its check: its owner, whoever
    opened it, a supervisor of its team, or an administrator."""
    member = _active(user)
    if member is None:
        return False
    if can_manage_all(member) or member.pk in (action.owner_id, action.opened_by_id):
        return True
    return (
        action.team_id is not None
        and can_manage_teams(member)
        and team_list_led_by(user=member).filter(pk=action.team_id).exists()
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


def can_change_team(user: AnyUser, action: CorrectiveAction) -> bool:
    """True when `user` may manage `action` and files actions under teams (opens or manages actions); a
    plain owner or item owner may not move it out of his supervisor's scope."""
    return can_manage(user, action) and (can_open(user) or can_manage_teams(user) or can_manage_all(user))


def can_check(user: AnyUser, action: CorrectiveAction) -> bool:
    """True for whoever may manage `action` and has never owned it: the check is independent of the owner."""
    member = _active(user)
    return member is not None and can_manage(member, action) and member.pk not in action_owner_ids(action)


def can_complete_item(user: AnyUser, item: ActionItem) -> bool:
    """True for the item's owner and for whoever may manage its action."""
    member = _active(user)
    return member is not None and (member.pk == item.owner_id or can_manage(member, item.action))


def can_close(user: AnyUser, action: CorrectiveAction) -> bool:
    """True for whoever may manage `action` and has never owned it (the checker may close it)."""
    member = _active(user)
    return member is not None and can_manage(member, action) and member.pk not in action_owner_ids(action)
