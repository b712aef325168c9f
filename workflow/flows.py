"""The disclosure process as a viewflow flow.

Every human step is a `flow.Handle` task: the services (workflow.services) decide, check and change
the item, then complete the open task; the `route` switch sends the token on according to the item's
new state. So viewflow keeps the process and its tasks (who is waiting, since when), and every rule
stays in the services. The route is (a mirror of workflow.transitions.STAGES, checked by tests/workflow/test_transitions.py):

    start → route ┬ draft/returned      → revise (liaison)            → route
                  ├ head_review         → head_review (head)          → route
                  ├ confidentiality_review → confidentiality_review (reviewer) → route
                  ├ secrecy_review      → secrecy_review (secrecy office) → route
                  ├ leader_review       → leader_review (leading group) → route
                  ├ office_review       → office_review (office)      → route
                  ├ publishing          → publishing (the Celery job)  → route
                  └ published/refused/… → end
"""

import contextlib
import contextvars

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from workflow.models import DisclosureItem, DisclosureProcess, DisclosureTask, State

# (item pk, state) of the item the services are moving on right now: they have just saved that
# state in this transaction, so the `route` switch need not read it back.
_current_item = contextvars.ContextVar("gongkai_current_item", default=None)


@contextlib.contextmanager
def routing(item):
    """Run viewflow for `item` (whose state is saved) with the switch reading its state from here."""
    token = _current_item.set((item.pk, item.state))
    try:
        yield
    finally:
        _current_item.reset(token)


def _item_state(activation):
    state = getattr(activation, "_gongkai_item_state", None)
    if state is None:
        current = _current_item.get()
        if current is not None and str(current[0]) == str(activation.process.artifact_object_id):
            activation._gongkai_item_state = current[1]
            return current[1]
        state = DisclosureItem.objects.values_list("state", flat=True).get(pk=activation.process.artifact_object_id)
        activation._gongkai_item_state = state
    return state


def _in(*states):
    return lambda activation: _item_state(activation) in states


class DisclosureFlow(flow.Flow):
    process_class = DisclosureProcess
    task_class = DisclosureTask
    lock_impl = lock.select_for_update_lock
    process_title = _("Disclosure item")

    start = flow.StartHandle(this.start_process).Next(this.route)

    route = (
        flow.Switch()
        .Case(this.revise, _in(State.DRAFT, State.RETURNED))
        .Case(this.head_review, _in(State.HEAD_REVIEW))
        .Case(this.confidentiality_review, _in(State.CONFIDENTIALITY_REVIEW))
        .Case(this.secrecy_review, _in(State.SECRECY_REVIEW))
        .Case(this.leader_review, _in(State.LEADER_REVIEW))
        .Case(this.office_review, _in(State.OFFICE_REVIEW))
        .Case(this.publishing, _in(State.PUBLISHING))
        .Default(this.end)
    )

    revise = flow.Handle().Annotation(title=_("Draft and submit")).Next(this.route)
    head_review = flow.Handle().Annotation(title=_("Head approval")).Next(this.route)
    confidentiality_review = flow.Handle().Annotation(title=_("Confidentiality review")).Next(this.route)
    secrecy_review = flow.Handle().Annotation(title=_("Secrecy office review")).Next(this.route)
    leader_review = flow.Handle().Annotation(title=_("Leading group approval")).Next(this.route)
    office_review = flow.Handle().Annotation(title=_("Office approval and publication")).Next(this.route)
    publishing = flow.Handle().Annotation(title=_("Publication")).Next(this.route)

    end = flow.End()

    def start_process(self, activation, item):
        activation.process.artifact = item
        activation.process.data = {"item": item.pk}
        return activation.process
