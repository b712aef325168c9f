"""Who may do what to an item, and when: workflow.transitions.TABLE applied to a user, enforced by
the services and shown by the pages and the API.

Answers come in three kinds, mapped to HTTP by the API and to messages by the pages:
- PermissionDenied (403): the user holds no role that could ever do this to this item, or separation
  of duties forbids them (they drafted/edited it, or already acted at another step);
- StateConflict (409): they hold the role, but the item is not at their step now;
- ValidationError (400): the input is wrong (raised by the services)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from audit.display import person
from core.exceptions import StateConflict
from policies.access import can, deputy_for
from workflow.models import State, Step
from workflow.transitions import (
    OPEN_FOR_EDIT,
    PERSON_ACTIONS,
    REVIEW_STATES,
    ROLE_FOR_PERMISSION,
    STAGES,
    TABLE,
)

__all__ = ["OPEN_FOR_EDIT", "ROLE_FOR_PERMISSION", "TaskGivenToAnother", "check", "allowed", "available_actions"]


class TaskGivenToAnother(PermissionDenied):
    """The user holds the step's role, but the office gave this item's task to someone else (403):
    a page can tell it from "never allowed", since the user may have opened a form before that."""

# action → [(states where it applies, permission codename needed on the item's department)],
# for a person's actions (the system's steps have no permission).
ACTIONS = {
    action: [((move.state,), move.permission) for move in TABLE[action].moves] for action in PERSON_ACTIONS
}

# Steps that make someone an author of the item (they may then approve or clear nothing on it).
AUTHOR_ACTIONS = {Step.Action.CREATE, Step.Action.EDIT, Step.Action.SUBMIT, Step.Action.ATTACH, Step.Action.DETACH}
REVIEW_ACTIONS = {action for action, t in TABLE.items() if t.review}
# The history steps those decisions leave (redact is recorded as clear_with_redactions).
REVIEW_STEPS = {TABLE[action].step_action or action for action in REVIEW_ACTIONS}


class Involvement:
    """Who has authored the item and who decided at which review step (from its history, read
    the first time it is asked: most users listing an item's actions hold no review role there)."""

    def __init__(self, item):
        self._item = item
        self._authors = None
        self._stages = None

    @classmethod
    def of_items(cls, items):
        """{item id: Involvement} for many items from one query of their history (a page of the
        inbox asks once, not once per item)."""
        involvements = {item.pk: cls(item) for item in items}
        for involvement in involvements.values():
            involvement._authors, involvement._stages = set(), {}
        # No ordering: the model's default (by item, hence the item table's) would join every item.
        steps = Step.objects.filter(item__in=list(involvements)).order_by().values_list("item_id", "actor_id", "action", "state_before")
        for item_id, actor_id, action, state_before in steps:
            involvements[item_id]._add(actor_id, action, state_before)
        return involvements

    @property
    def authors(self):
        if self._authors is None:
            self._load()
        return self._authors

    @property
    def stages(self):
        if self._stages is None:
            self._load()
        return self._stages

    def _load(self):
        self._authors, self._stages = set(), {}
        for actor_id, action, state_before in self._item.steps.order_by().values_list("actor_id", "action", "state_before"):
            self._add(actor_id, action, state_before)

    def _add(self, actor_id, action, state_before):
        if actor_id is None:
            return
        if action in AUTHOR_ACTIONS:
            self._authors.add(actor_id)
        elif state_before in REVIEW_STATES and action in REVIEW_STEPS:
            self._stages.setdefault(actor_id, set()).add(state_before)


def check(item, user, action, involvement=None, memo=None, *, separation=True):
    """Raise PermissionDenied or StateConflict unless `user` may do `action` to `item` now
    (`separation=False`: leave separation of duties out). Returns the permission codename that
    allows it (which tells the role acting)."""
    rules = ACTIONS.get(action)
    if rules is None:
        raise PermissionDenied(_("Unknown action."))
    department = item.department
    # The rule for the item's current step first: on the usual path one permission is checked.
    ordered = sorted(rules, key=lambda rule: item.state not in rule[0])
    codename = None
    held_any = False
    for states, candidate in ordered:
        if can(user, candidate, department):
            held_any = True
            if item.state in states:
                codename = candidate
                break
    if not held_any:
        raise PermissionDenied(_("You may not do this to this item."))
    if codename is None:
        raise StateConflict(
            _("The item is “%(state)s”: this is not possible now.") % {"state": State(item.state).label},
            state=item.state,
        )
    if item.assigned_to_id and item.assigned_to_id != user.pk and codename == STAGES[item.state].permission:
        # The office gave this step's task to one person: they act, or their deputy.
        if item.assigned_to_id not in deputy_for(user, codename, department):
            assignee = item.assigned_to
            raise TaskGivenToAnother(_("The office has given this task to %(name)s.") % {
                "name": person(assignee)})
    if separation and item.state in REVIEW_STATES and action in REVIEW_ACTIONS:
        involvement = involvement or Involvement(item)
        if user.pk in involvement.authors:
            raise PermissionDenied(_("You drafted or edited this item, so you may not review it."))
        other_steps = involvement.stages.get(user.pk, set()) - {item.state}
        if other_steps:
            raise PermissionDenied(_("You have already acted at another step of this item."))
    return codename


def allowed(item, user, action, involvement=None, memo=None):
    try:
        check(item, user, action, involvement, memo)
    except (PermissionDenied, StateConflict):
        return False
    return True


def actions_in(state):
    """The person's actions that apply in `state`, in a stable order (edit first)."""
    return [a for a in PERSON_ACTIONS if any(state in states for states, _c in ACTIONS[a])]


def available_actions(item, user, memo=None, involvement=None):
    """What this user may do to this item now, in a stable order (edit first)."""
    memo = {} if memo is None else memo
    candidates = actions_in(item.state)
    if not candidates:
        return []
    involvement = involvement or Involvement(item)
    return [action for action in candidates if allowed(item, user, action, involvement, memo)]
