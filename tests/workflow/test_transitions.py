"""The transition table is the state machine: viewflow's flow mirrors it, the API and the pages
offer exactly its actions, and two gaps found while reading the old services stay closed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.workflow.helpers import draft, to_state
from workflow import services
from workflow.flows import DisclosureFlow
from workflow.forms import ACTION_FORMS
from workflow.models import OPEN_STATES, DisclosureItem, State, Step
from workflow.transitions import API_ACTIONS, EVENT_LABELS, STAGES, SYSTEM_NODES, TABLE


def test_the_flow_has_a_waiting_node_for_every_stage_and_routes_on_the_state():
    nodes = {node.name: node for node in DisclosureFlow.instance.nodes()}
    for state, node in {**{s: stage.node for s, stage in STAGES.items()}, **SYSTEM_NODES}.items():
        assert node in nodes, f"{state} waits in {node}"
    waiting = {stage.node for stage in STAGES.values()} | set(SYSTEM_NODES.values())
    handles = {name for name, node in nodes.items() if type(node).__name__ == "Handle"}
    assert handles == waiting, "every task node of the flow is a stage of the table"
    assert set(OPEN_STATES) == set(STAGES)


def test_every_target_is_a_state_and_every_action_has_a_button_and_a_label():
    for action, transition in TABLE.items():
        assert transition.event in EVENT_LABELS and EVENT_LABELS[transition.event]
        for move in transition.moves:
            assert move.state in State.values
            if isinstance(move.to, str):
                assert move.to in State.values
    assert list(ACTION_FORMS) == API_ACTIONS
    assert API_ACTIONS == ["submit", "approve", "return", "clear", "redact", "refuse", "publish", "withdraw", "correct", "discard"]
    steps = {t.step_action or action for action, t in TABLE.items()}
    assert steps <= set(Step.Action.values), "the history names every step (no bare code)"
    for action, (form_class, label) in ACTION_FORMS.items():
        assert label and set(form_class.base_fields) == set(TABLE[action].accepts)


def test_the_step_and_event_of_each_transition_are_the_tables(user):
    item = to_state(user, draft(user), "published")
    steps = [s.action for s in item.steps.all()]
    assert steps == ["create", "submit", "approve", "clear", "publish", "published"]
    assert all(s in Step.Action.values for s in steps)


def test_the_office_corrects_with_changes_though_it_drafts_nothing(user):
    """A correction by the office with changes used to go through edit_item, which needs draft_items."""
    item = to_state(user, draft(user), "published")
    correction = services.correct(item, actor=user("office"), title="更正后的标题", comment="数字有误")
    assert correction.title == "更正后的标题" and correction.state == State.DRAFT
    assert correction.supersedes_id == item.pk
    assert [s.action for s in correction.steps.order_by("id")] == ["correct", "edit"]


def test_correcting_needs_the_right_to_correct_even_through_create_item(user):
    """create_item used to skip its permission check whenever `supersedes` was passed."""
    item = to_state(user, draft(user), "published")
    with pytest.raises(PermissionDenied):
        services.create_item(actor=user("jwc_head"), catalogue_entry=item.catalogue_entry, supersedes=item,
                             title="x", produced_on=item.produced_on)
    with pytest.raises(ValidationError):  # nor can a liaison make a draft supersede something
        services.create_item(actor=user("cwc_liaison"), catalogue_entry=item.catalogue_entry, supersedes=item,
                             title="x", produced_on=item.produced_on)
    with pytest.raises(PermissionDenied):
        services.correct(item, actor=user("jwc_liaison"))
    assert DisclosureItem.objects.filter(supersedes=item).count() == 0
