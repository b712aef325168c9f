"""The parameters of the workflow's commands, read once from people's input: the API and the pages
both pass what they received (JSON, form fields already typed by a Django form, or strings)
through these, under the input policy of core.inputs, and the commands in workflow.services take
the typed values they return.

Each reader raises django.core.exceptions.ValidationError with a field → messages dict (400)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core import inputs
from core.grounds import RefusalGround
from workflow.channels import accepted_codes
from workflow.content import ContentError, clean_body
from workflow.models import CatalogueEntry, DisclosureItem
from workflow.queues import visible_items
from workflow.transitions import TABLE
EDITABLE_FIELDS = (
    "title",
    "body",
    "produced_on",
    "channels",
    "is_policy_document",
    "interpretation",
    "interpretation_url",
    "is_major",
    "touches_state_secret",
)
ACTION_FIELDS = ("comment", "ground", "channels", "publish_at")
TITLE_MAX = DisclosureItem._meta.get_field("title").max_length
URL_MAX = DisclosureItem._meta.get_field("interpretation_url").max_length
COMMENT_MAX = 10000


def channel_codes():
    """The channel table's active codes (the office manages them in the admin)."""
    return accepted_codes()


def raise_errors(errors):
    if errors:
        raise ValidationError({field: [str(m) for m in messages] for field, messages in errors.items()})


def _add(errors, field, message):
    errors.setdefault(field, []).append(message)


def _as_date(value, field, errors):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        parsed = parse_date(str(value)) if value not in (None, "") else None
    except ValueError:
        parsed = None
    if parsed is None:
        _add(errors, field, _("Enter a date as YYYY-MM-DD."))
    return parsed


def _as_datetime(value, field, errors):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        parsed = value
    else:
        try:
            parsed = parse_datetime(str(value))
        except ValueError:
            parsed = None
        if parsed is None:
            _add(errors, field, _("Enter a date and time (ISO 8601)."))
            return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _as_bool(value, field, errors):
    if isinstance(value, bool):
        return value
    # Strings come from forms; JSON sends true or false (not 0, 1 or null).
    if value in ("true", "True", "1", "on"):
        return True
    if value in ("false", "False", "0", "", "off"):
        return False
    _add(errors, field, _("Must be true or false."))
    return False


def _as_text(value, field, errors, **policy):
    try:
        return inputs.clean_text(value, **policy)
    except ValidationError as error:
        errors.setdefault(field, []).extend(error.messages)
        return None


def _as_channels(value, field, errors):
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)):
        _add(errors, field, _("Give a list of channel codes."))
        return []
    known = channel_codes()
    unknown = [str(code) for code in value if code not in known]
    if unknown:
        _add(errors, field, _("Unknown channel: %(codes)s.") % {"codes": ", ".join(unknown)})
        return []
    return list(dict.fromkeys(value))  # keep order, drop duplicates


def _field(field, value, errors, item, actor):
    if field == "title":
        value = _as_text(value, field, errors, max_length=TITLE_MAX)
        if value == "":
            _add(errors, field, _("A title is required."))
        return value
    if field == "body":
        text = _as_text(value, field, errors, multiline=True)
        if text is None:
            return ""
        try:
            return inputs.check_body_size(clean_body(text))
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)
        except ContentError as error:
            _add(errors, field, str(error))
        return ""
    if field == "produced_on":
        if value in (None, ""):
            _add(errors, field, _("Enter the date the information was produced."))
            return None
        value = _as_date(value, field, errors)
        if value and value > timezone.localdate():
            _add(errors, field, _("The information cannot have been produced in the future."))
        elif value and value < inputs.DATE_MIN:
            # A mistyped year (0025 for 2025): due in year 1, the item would be overdue and
            # escalated at once, and its record would say so.
            _add(errors, field, str(inputs.MESSAGES["date_range"]))
        return value
    if field == "channels":
        return _as_channels(value, field, errors)
    if field in ("is_policy_document", "is_major", "touches_state_secret"):
        return _as_bool(value, field, errors)
    if field == "interpretation":
        if value in (None, ""):
            return None
        # Only an item the actor may see: a missing and a hidden id get the same answer.
        pk = inputs.as_id(value.pk if isinstance(value, DisclosureItem) else value)
        found = visible_items(actor).filter(pk=pk).first() if pk else None
        if found is None or (item is not None and found.pk == item.pk):
            _add(errors, field, _("Unknown disclosure item."))
        return found
    if field == "interpretation_url":
        value = _as_text(value, field, errors, max_length=URL_MAX) or ""
        if value and not value.startswith(("http://", "https://", "/")):
            _add(errors, field, _("Enter a web address (http:// or https://)."))
        return value
    raise AssertionError(field)


def item_fields(data, *, actor, item=None, errors=None, unknown_message=None):
    """The editable fields present in `data`, checked and typed ({field: value}). With `item`, for
    an edit of that item (its own number is no policy interpretation of itself)."""
    own = errors is None
    errors = {} if own else errors
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        message = unknown_message or _("Unknown fields: %(f)s.")
        _add(errors, "non_field_errors", message % {"f": ", ".join(sorted(unknown))})
    cleaned = {field: _field(field, data[field], errors, item, actor) for field in EDITABLE_FIELDS if field in data}
    if own:
        raise_errors(errors)
    return cleaned


def new_item(data, *, actor):
    """A draft's input: (catalogue entry, {field: value}). The entry must exist; whether the user
    may draft from it (and whether it applies) is the command's question."""
    data = dict(data)
    errors = {}
    value = data.pop("catalogue_entry", None)
    entry = value if isinstance(value, CatalogueEntry) else None
    if entry is None:
        if value in (None, ""):
            errors["catalogue_entry"] = [_("Choose a catalogue entry.")]
        elif inputs.as_id(value):
            entry = CatalogueEntry.objects.select_related("department").filter(pk=inputs.as_id(value)).first()
            if entry is None:
                errors["catalogue_entry"] = [_("Unknown catalogue entry.")]
        else:
            errors["catalogue_entry"] = [_("Unknown catalogue entry.")]
    # Title and production date are required: an empty one gets its own message (one per field,
    # from _field), so put them in even when they were not sent.
    for field in ("title", "produced_on"):
        data.setdefault(field, "")
    cleaned = item_fields(data, actor=actor, errors=errors)
    raise_errors(errors)
    return entry, cleaned


def item_changes(data, item, *, actor):
    """An edit's input ({field: value} of the fields given)."""
    return item_fields(data, actor=actor, item=item, unknown_message=_("These fields cannot be changed: %(f)s."))


def missing(transition, params, errors):
    """Add an error for each field the transition requires (workflow.transitions) that is not given."""
    if "comment" in transition.requires and not params.get("comment") and "comment" not in errors:
        _add(errors, "comment", _("A comment is required."))
    if "ground" in transition.requires and params.get("ground") not in RefusalGround.values and "ground" not in errors:
        _add(errors, "ground", _("Choose a ground: %(grounds)s.") % {"grounds": _ground_names()})
    return errors


def action_params(action, data, *, actor):
    """The parameters of a transition (workflow.transitions: what it `accepts`), typed. A
    correction also takes the editable fields of its new draft."""
    transition = TABLE.get(action)
    if transition is None or not transition.api:
        raise ValidationError({"action": [_("Unknown action.")]})
    data = dict(data)
    errors, params = {}, {}
    # The action fields another action takes are ignored here (as they always were).
    given = {name: data.pop(name) for name in ACTION_FIELDS if name in data}
    for name, value in given.items():
        if name not in transition.accepts:
            continue
        if name == "comment":
            params[name] = _as_text(value, name, errors, multiline=True, max_length=COMMENT_MAX) or ""
        elif name == "ground":
            if value not in RefusalGround.values:
                _add(errors, name, _("Choose a ground: %(grounds)s.") % {"grounds": _ground_names()})
            params[name] = value if value in RefusalGround.values else ""
        elif name == "channels":
            params[name] = _as_channels(value, name, errors)
        elif name == "publish_at":
            params[name] = _as_datetime(value, name, errors)
    missing(transition, params, errors)
    if action == "correct":
        params.update(item_fields(data, actor=actor, errors=errors))
    elif data:
        _add(errors, "non_field_errors", _("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(data))})
    raise_errors(errors)
    return params


def _ground_names():
    """The grounds by their names (people read this message on the item page, not only the API)."""
    return "、".join(str(label) for label in RefusalGround.labels)
