"""The disclosure item's state machine, in one table.

Read a row as a sentence. "approve": in head_review a holder of approve_items on the item's
department may approve (→ confidentiality_review); in leader_review a holder of approve_major_items
may (→ office_review). A comment is optional; separation of duties applies; whoever acts at the new
step is told; the audit event is `disclosure.approve` (批准).

Who reads this table:
- workflow.rules (may this user do this now? 403/409), and so the API's `actions`, the item page's
  buttons and the permission matrix test;
- workflow.services.perform (the target state, required fields, audit event, record, notification);
- workflow.forms (the button and its form), workflow.api (the accepted fields), workflow.notify
  (recipients), workflow.flows (checked against it by tests/workflow/test_transitions.py).

Only the office's "edit" (PATCH) and the liaison's drafting are not transitions: they change no state.
"""

from dataclasses import dataclass, field
from typing import Callable

from django.utils.translation import gettext_lazy as _

from workflow.models import OPEN_STATES, State

OPEN_FOR_EDIT = (State.DRAFT, State.RETURNED)


@dataclass(frozen=True)
class Stage:
    """An open state: the item waits there for holders of `permission` on its department."""

    permission: str
    node: str  # the viewflow node that waits in this state
    role: str  # policies.Role value of whoever acts here


# Who acts in each open state (models.OPEN_STATES; reminders go to them).
STAGES = {
    State.DRAFT: Stage("draft_items", "revise", "liaison"),
    State.RETURNED: Stage("draft_items", "revise", "liaison"),
    State.HEAD_REVIEW: Stage("approve_items", "head_review", "head"),
    State.CONFIDENTIALITY_REVIEW: Stage("review_items", "confidentiality_review", "reviewer"),
    State.SECRECY_REVIEW: Stage("review_secret_items", "secrecy_review", "secrecy"),
    State.LEADER_REVIEW: Stage("approve_major_items", "leader_review", "leader"),
    State.OFFICE_REVIEW: Stage("publish_items", "office_review", "office"),
}
assert set(STAGES) == set(OPEN_STATES), "every open state has a stage"
# Waiting for the publication job (no person acts; the flow has a node for it).
SYSTEM_NODES = {State.PUBLISHING: "publishing"}
# Review steps: a person decides at one of them at most, and never on what they drafted.
REVIEW_STATES = frozenset({State.HEAD_REVIEW, State.CONFIDENTIALITY_REVIEW, State.SECRECY_REVIEW,
                           State.LEADER_REVIEW, State.OFFICE_REVIEW})
ROLE_FOR_PERMISSION = {
    "draft_items": "liaison",
    "approve_items": "head",
    "review_items": "reviewer",
    "review_secret_items": "secrecy",
    "approve_major_items": "leader",
    "publish_items": "office",
}


def after_confidentiality(item):
    """Cleared: a state-secret item goes on to the secrecy office, then a major matter to the
    leading group, everything else to the office."""
    if item.state == State.CONFIDENTIALITY_REVIEW and item.touches_state_secret:
        return State.SECRECY_REVIEW
    if item.is_major:
        return State.LEADER_REVIEW
    return State.OFFICE_REVIEW


@dataclass(frozen=True)
class Move:
    """In `state`, a holder of `permission` may take the action; the item goes `to` (a state, a
    rule item → state, or None when the state stays)."""

    state: str
    permission: str
    to: "str | Callable | None" = None


# Who hears about a transition (workflow.notify.RECIPIENTS says who each is).
ASSIGNEES = "assignees"  # whoever acts at the new step (not the actor)
DRAFTERS = "drafters"  # the item's liaisons and its creator, with the comment
CREATOR = "creator"  # whoever created the item


@dataclass(frozen=True)
class Transition:
    action: str
    moves: tuple
    button: str  # the item page's button
    event_label: str  # the audit event's Chinese label
    requires: tuple = ()  # fields that must be given ("comment", "ground")
    comment_label: str = ""  # the comment field's label, when it is not just a comment
    accepts: tuple = ("comment",)  # fields the API and the form take
    review: bool = False  # a review decision: separation of duties applies
    notify: str | None = None
    notice: str = ""  # the notification's message, "%(title)s" and "%(comment)s" filled in
    record: str | None = None  # the kind of signed record issued (records.Record.Kind)
    step_action: str = ""  # the history step's name, when not `action`
    event_action: str = ""  # the audit event's name, when not the step's
    api: bool = True  # POST /api/disclosures/{id}/{action}/ (else: a system step)
    extra: dict = field(default_factory=dict)

    @property
    def event(self):
        return f"disclosure.{self.event_action or self.step_action or self.action}"

    @property
    def states(self):
        return tuple(dict.fromkeys(move.state for move in self.moves))

    def move_for(self, state):
        return next((move for move in self.moves if move.state == state), None)

    def target(self, item):
        move = self.move_for(item.state)
        to = move.to if move else None
        return to(item) if callable(to) else to


TABLE = {
    t.action: t
    for t in [
        Transition(
            "edit", button=_("Edit"), event_label="编辑",
            moves=(Move(State.DRAFT, "draft_items"), Move(State.RETURNED, "draft_items")),
            accepts=(), api=False,
        ),
        Transition(
            "submit", button=_("Submit to the department head"), event_label="提交审核",
            moves=(Move(State.DRAFT, "draft_items", State.HEAD_REVIEW),
                   Move(State.RETURNED, "draft_items", State.HEAD_REVIEW)),
            notify=ASSIGNEES,
        ),
        Transition(
            "approve", button=_("Approve"), event_label="批准",
            moves=(Move(State.HEAD_REVIEW, "approve_items", State.CONFIDENTIALITY_REVIEW),
                   Move(State.LEADER_REVIEW, "approve_major_items", State.OFFICE_REVIEW)),
            review=True, notify=ASSIGNEES,
        ),
        Transition(
            "return", button=_("Return for revision"), event_label="退回修改",
            moves=(Move(State.HEAD_REVIEW, "approve_items", State.RETURNED),
                   Move(State.CONFIDENTIALITY_REVIEW, "review_items", State.RETURNED),
                   Move(State.SECRECY_REVIEW, "review_secret_items", State.RETURNED),
                   Move(State.LEADER_REVIEW, "approve_major_items", State.RETURNED),
                   Move(State.OFFICE_REVIEW, "publish_items", State.RETURNED)),
            requires=("comment",), review=True, notify=DRAFTERS,
            notice=_("Returned for revision: %(title)s — %(comment)s"),
        ),
        Transition(
            "clear", button=_("Clear for publication"), event_label="保密审查通过",
            moves=(Move(State.CONFIDENTIALITY_REVIEW, "review_items", after_confidentiality),
                   Move(State.SECRECY_REVIEW, "review_secret_items", after_confidentiality)),
            review=True, notify=ASSIGNEES,
        ),
        Transition(
            "redact", button=_("Clear with redactions"), event_label="删改后公开（退回）",
            moves=(Move(State.CONFIDENTIALITY_REVIEW, "review_items", State.RETURNED),
                   Move(State.SECRECY_REVIEW, "review_secret_items", State.RETURNED)),
            requires=("comment",), review=True, notify=DRAFTERS, step_action="clear_with_redactions",
            comment_label=_("Redaction instructions (required)"),
            notice=_("Returned for revision: %(title)s — %(comment)s"),
        ),
        Transition(
            "refuse", button=_("Refuse publication (不予公开)"), event_label="不予公开",
            moves=(Move(State.CONFIDENTIALITY_REVIEW, "review_items", State.REFUSED),
                   Move(State.SECRECY_REVIEW, "review_secret_items", State.REFUSED),
                   Move(State.OFFICE_REVIEW, "publish_items", State.REFUSED)),
            requires=("comment", "ground"), accepts=("comment", "ground"), review=True,
            notify=CREATOR, notice=_("Not to be disclosed: %(title)s"), record="refusal",
        ),
        Transition(
            "publish", button=_("Publish"), event_label="批准公开",
            moves=(Move(State.OFFICE_REVIEW, "publish_items", State.PUBLISHING),),
            accepts=("comment", "channels", "publish_at"), review=True,
        ),
        Transition(
            # The publication job (workflow.services.complete_publication), once the item is due.
            "published", button="", event_label="已公开",
            moves=(Move(State.PUBLISHING, "", State.PUBLISHED),),
            accepts=(), api=False, notify=CREATOR, notice=_("Published: %(title)s"), record="publication",
        ),
        Transition(
            "withdraw", button=_("Withdraw"), event_label="撤回",
            moves=(Move(State.PUBLISHED, "publish_items", State.WITHDRAWN),),
            requires=("comment",), notify=CREATOR, notice=_("Withdrawn: %(title)s — %(comment)s"),
            comment_label=_("Reason for withdrawal (required)"),
            record="withdrawal",
        ),
        Transition(
            # A new draft copies the item; the item itself stays published until the copy is.
            "correct", button=_("Start a correction"), event_label="更正",
            moves=(Move(State.PUBLISHED, "publish_items"), Move(State.PUBLISHED, "draft_items")),
        ),
        Transition(
            # The original of a correction, when the correction is published (a system step).
            "supersede", button="", event_label="被更正替代",
            moves=(Move(State.PUBLISHED, "", State.SUPERSEDED),), accepts=(), api=False,
            step_action="superseded", event_action="supersede",
        ),
        Transition(
            # A draft nobody will submit (a duplicate, a mistake): it leaves every inbox and every
            # reminder, and stays in the history with its reason. Never public, so no record.
            "discard", button=_("Discard the draft"), event_label="作废草稿",
            moves=(Move(State.DRAFT, "draft_items", State.DISCARDED),
                   Move(State.RETURNED, "draft_items", State.DISCARDED)),
            requires=("comment",), comment_label=_("Why it is discarded (required)"),
        ),
    ]
}

# What a person may ask for (the item page's buttons, in this order); edit is PATCH in the API.
PERSON_ACTIONS = [a for a, t in TABLE.items() if all(m.permission for m in t.moves)]
# The actions of POST /api/disclosures/{id}/{action}/.
API_ACTIONS = [a for a, t in TABLE.items() if t.api]
# Audit event type → Chinese label, for the audit trail's pages.
EVENT_LABELS = {
    "disclosure.create": "起草",
    "disclosure.attach": "添加附件",
    "disclosure.detach": "删除附件",
    "disclosure.reassign": "改派",
    **{t.event: t.event_label for t in TABLE.values()},
}


def transition(action):
    return TABLE.get(action)
