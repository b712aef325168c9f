"""Small pieces of the design system: {% load ui %}, then {{ item|state_badge }} or
{% state_badge state label %}: a coloured badge that also says the state in words."""

from django import template
from django.utils.html import format_html

from gongkai.home import latest_reasons

register = template.Library()

# Colour by what the state means to the reader; the text always says it too.
STATE_COLOURS = {
    "draft": "text-bg-secondary",
    "returned": "text-bg-warning",
    "head_review": "text-bg-info",
    "confidentiality_review": "text-bg-info",
    "secrecy_review": "text-bg-info",
    "leader_review": "text-bg-info",
    "office_review": "text-bg-info",
    "publishing": "text-bg-primary",
    "published": "text-bg-success",
    "refused": "text-bg-danger",
    "withdrawn": "text-bg-dark",
    "superseded": "text-bg-light border",
    "discarded": "text-bg-light border",
}


@register.simple_tag
def state_badge_for(state, label):
    return format_html('<span class="badge state state-{} {}">{}</span>', state, STATE_COLOURS.get(state, "text-bg-light border"), label)


@register.filter
def state_badge(item):
    """An item's state as a badge: colour and its Chinese name."""
    return state_badge_for(item.state, item.get_state_display())


@register.filter
def person(user):
    """A person as staff know them: full name, else the login name."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@register.simple_tag
def latest_reason(item):
    """The item's latest return, refusal or redaction request (a workflow Step with its actor), or
    None once the item moved on past it."""
    if item.state not in ("returned", "draft", "refused"):
        return None
    return latest_reasons([item]).get(item.pk)
