"""Who may do what to an item, and when: the single table the services enforce and the UI/API show.

Answers come in three kinds, mapped to HTTP by the API and to messages by the pages:
- PermissionDenied (403): the user holds no role that could ever do this to this item, or separation
  of duties forbids them (they drafted/edited it, or already acted at another step);
- StateConflict (409): they hold the role, but the item is not at their step now;
- ValidationError (400): the input is wrong (raised by the services)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from guardian.core import ObjectPermissionChecker

from workflow.exceptions import StateConflict
from workflow.models import State, Step

OPEN_FOR_EDIT = (State.DRAFT, State.RETURNED)

# action → [(states where it applies, permission codename needed on the item's department)]
ACTIONS = {
    "edit": [(OPEN_FOR_EDIT, "draft_items")],
    "submit": [(OPEN_FOR_EDIT, "draft_items")],
    "approve": [((State.HEAD_REVIEW,), "approve_items"), ((State.LEADER_REVIEW,), "approve_major_items")],
    "return": [
        ((State.HEAD_REVIEW,), "approve_items"),
        ((State.CONFIDENTIALITY_REVIEW,), "review_items"),
        ((State.SECRECY_REVIEW,), "review_secret_items"),
        ((State.LEADER_REVIEW,), "approve_major_items"),
        ((State.OFFICE_REVIEW,), "publish_items"),
    ],
    "clear": [((State.CONFIDENTIALITY_REVIEW,), "review_items"), ((State.SECRECY_REVIEW,), "review_secret_items")],
    "redact": [((State.CONFIDENTIALITY_REVIEW,), "review_items"), ((State.SECRECY_REVIEW,), "review_secret_items")],
    "refuse": [
        ((State.CONFIDENTIALITY_REVIEW,), "review_items"),
        ((State.SECRECY_REVIEW,), "review_secret_items"),
        ((State.OFFICE_REVIEW,), "publish_items"),
    ],
    "publish": [((State.OFFICE_REVIEW,), "publish_items")],
    "withdraw": [((State.PUBLISHED,), "publish_items")],
    "correct": [((State.PUBLISHED,), "publish_items"), ((State.PUBLISHED,), "draft_items")],
}
# The actions of the API's POST /api/disclosures/{id}/{action}/ (edit is PATCH).
TRANSITIONS = ["submit", "approve", "return", "clear", "redact", "refuse", "publish", "withdraw", "correct"]

# Steps that make someone an author of the item (they may then approve or clear nothing on it).
AUTHOR_ACTIONS = {Step.Action.CREATE, Step.Action.EDIT, Step.Action.SUBMIT, Step.Action.ATTACH, Step.Action.DETACH}
# Review steps: a person decides at one of them at most (separation of duties).
REVIEW_STATES = {
    State.HEAD_REVIEW,
    State.CONFIDENTIALITY_REVIEW,
    State.SECRECY_REVIEW,
    State.LEADER_REVIEW,
    State.OFFICE_REVIEW,
}
REVIEW_ACTIONS = {"approve", "return", "clear", "redact", "refuse", "publish"}

ROLE_FOR_PERMISSION = {
    "draft_items": "liaison",
    "approve_items": "head",
    "review_items": "reviewer",
    "review_secret_items": "secrecy",
    "approve_major_items": "leader",
    "publish_items": "office",
}


class Involvement:
    """Who has authored the item and who decided at which review step (from its history)."""

    def __init__(self, item):
        self.authors = set()
        self.stages = {}
        for actor_id, action, state_before in item.steps.values_list("actor_id", "action", "state_before"):
            if actor_id is None:
                continue
            if action in AUTHOR_ACTIONS:
                self.authors.add(actor_id)
            elif state_before in REVIEW_STATES and action in REVIEW_ACTIONS | {"clear_with_redactions"}:
                self.stages.setdefault(actor_id, set()).add(state_before)


def _can(user, codename, department):
    """policies.access.can, with guardian's object-permission checker kept on the user object for
    its lifetime (one request, in the API and pages), so that listing an item's actions does not
    query the permission tables again for every action."""
    if not user.is_authenticated or not user.is_active:
        return False
    perm = f"policies.{codename}"
    if user.has_perm(perm):  # school-wide (group) permissions: cached by Django's ModelBackend
        return True
    checker = user.__dict__.get("_workflow_permission_checker")
    if checker is None:
        checker = user.__dict__["_workflow_permission_checker"] = ObjectPermissionChecker(user)
    return checker.has_perm(perm, department)


def check(item, user, action, involvement=None, memo=None):
    """Raise PermissionDenied or StateConflict unless `user` may do `action` to `item` now.
    Returns the permission codename that allows it (which tells the role acting)."""
    rules = ACTIONS.get(action)
    if rules is None:
        raise PermissionDenied(_("Unknown action."))
    department = item.department
    # The rule for the item's current step first: on the usual path one permission is checked.
    ordered = sorted(rules, key=lambda rule: item.state not in rule[0])
    codename = None
    held_any = False
    for states, candidate in ordered:
        if _can(user, candidate, department):
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
    if item.state in REVIEW_STATES and action in REVIEW_ACTIONS:
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


def available_actions(item, user, memo=None):
    """What this user may do to this item now, in a stable order (edit first)."""
    memo = {} if memo is None else memo
    candidates = [a for a in ["edit", *TRANSITIONS] if any(item.state in states for states, _c in ACTIONS[a])]
    if not candidates:
        return []
    involvement = Involvement(item)
    return [action for action in candidates if allowed(item, user, action, involvement, memo)]
