"""Who may do what to an item, and when: the single table the services enforce and the UI/API show.

Answers come in three kinds, mapped to HTTP by the API and to messages by the pages:
- PermissionDenied (403): the user holds no role that could ever do this to this item, or separation
  of duties forbids them (they drafted/edited it, or already acted at another step);
- StateConflict (409): they hold the role, but the item is not at their step now;
- ValidationError (400): the input is wrong (raised by the services)."""

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils.translation import gettext as _

from policies.models import Department
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
    """Who has authored the item and who decided at which review step (from its history, read
    the first time it is asked: most users listing an item's actions hold no review role there)."""

    def __init__(self, item):
        self._item = item
        self._authors = None
        self._stages = None

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
        for actor_id, action, state_before in self._item.steps.values_list("actor_id", "action", "state_before"):
            if actor_id is None:
                continue
            if action in AUTHOR_ACTIONS:
                self._authors.add(actor_id)
            elif state_before in REVIEW_STATES and action in REVIEW_ACTIONS | {"clear_with_redactions"}:
                self._stages.setdefault(actor_id, set()).add(state_before)


def _permissions_of(user):
    """All of the user's `policies` permissions in one query, kept on the user object for its
    lifetime (one request, in the API and pages): (school-wide codenames, {department pk: codenames}).

    The same answer as Django's ModelBackend (the user's and their groups' permissions) plus
    guardian's ObjectPermissionChecker on a Department (the user's and their groups' object
    permissions), which would take four queries."""
    cached = user.__dict__.get("_workflow_permissions")
    if cached is not None:
        return cached
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission, UserObjectPermission

    department_type = ContentType.objects.get_for_model(Department).pk
    user_model = get_user_model()
    tables = {
        "perm": Permission._meta.db_table,
        "ct": ContentType._meta.db_table,
        "user_perms": user_model.user_permissions.through._meta.db_table,
        "user_groups": user_model.groups.through._meta.db_table,
        "group_perms": Group.permissions.through._meta.db_table,
        "uop": UserObjectPermission._meta.db_table,
        "gop": GroupObjectPermission._meta.db_table,
    }
    sql = (
        # school-wide: the user's own permissions and their groups' (as ModelBackend)
        "SELECT p.codename, NULL FROM {user_perms} up JOIN {perm} p ON p.id = up.permission_id "
        "JOIN {ct} ct ON ct.id = p.content_type_id WHERE up.user_id = %s AND ct.app_label = 'policies' "
        "UNION ALL SELECT p.codename, NULL FROM {user_groups} ug JOIN {group_perms} gp ON gp.group_id = ug.group_id "
        "JOIN {perm} p ON p.id = gp.permission_id JOIN {ct} ct ON ct.id = p.content_type_id "
        "WHERE ug.user_id = %s AND ct.app_label = 'policies' "
        # per department: the user's and their groups' object permissions (as guardian)
        "UNION ALL SELECT p.codename, uop.object_pk FROM {uop} uop JOIN {perm} p ON p.id = uop.permission_id "
        "WHERE uop.user_id = %s AND uop.content_type_id = %s AND p.content_type_id = %s "
        "UNION ALL SELECT p.codename, gop.object_pk FROM {user_groups} ug JOIN {gop} gop ON gop.group_id = ug.group_id "
        "JOIN {perm} p ON p.id = gop.permission_id "
        "WHERE ug.user_id = %s AND gop.content_type_id = %s AND p.content_type_id = %s"
    ).format(**tables)
    school_wide, per_department = set(), {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk, user.pk, department_type, department_type,
                             user.pk, department_type, department_type])
        for codename, object_pk in cursor.fetchall():
            if object_pk is None:
                school_wide.add(codename)
            else:
                per_department.setdefault(str(object_pk), set()).add(codename)
    cached = user.__dict__["_workflow_permissions"] = (school_wide, per_department)
    return cached


def _can(user, codename, department):
    """policies.access.can (the user's permission school-wide or on this department), answered
    from `_permissions_of` so that a request asks the permission tables once, however many
    actions and items it checks."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    school_wide, per_department = _permissions_of(user)
    return codename in school_wide or codename in per_department.get(str(department.pk), ())


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
