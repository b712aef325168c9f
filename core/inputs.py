"""The one input policy at the boundary: what text the product accepts from anyone.

Every piece of text that comes in — a form field, an API body, a query parameter, the admin — is
held to the same rules:

- NFC normalisation (one spelling for each character, so search and hashes agree);
- refused: NUL, lone surrogates (not text; PostgreSQL cannot store either), U+FFFD (the mark of
  invalid UTF-8 somewhere on the way), C0 and C1 control characters and DEL, and the bidirectional
  embedding/override/isolate controls (they make a title display as something it is not).
  Tab, CR and LF are allowed in multi-line text only;
- length limits: a field's own maximum in characters; item bodies at most BODY_MAX_BYTES (UTF-8,
  after sanitising).

The API:

- `check_text(value)` / `clean_text(value, multiline=…, max_length=…, max_bytes=…)`: the functions
  (ValidationError with a Chinese message);
- `TextField` (Django forms) and `APITextField` (DRF serializers): CharFields that apply them;
- `InputPolicyForm` / `InputPolicyModelForm`: every text field of a form (the admin's too) is held
  to the policy — multi-line where the widget is a Textarea, passwords are left alone;
- `query_int(request, name, ...)`, `query_text(request, name, ...)`: typed query parameters;
- `core.middleware.InputPolicyMiddleware` refuses what no field may ever hold (the first list
  above) in every query string, form body and JSON body before any view runs.
"""

import datetime
import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

# Always refused, in any field: NUL and the other C0 controls except tab/CR/LF, DEL, C1 controls.
_CONTROLS = {c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)} | {0x7F} | set(range(0x80, 0xA0))
_LINE_BREAKS = {0x09, 0x0A, 0x0D}
# Bidirectional embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI).
_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
_REPLACEMENT = 0xFFFD

MESSAGES = {
    "type": _("Enter text."),
    "nul": _("The text contains a NUL character, which is not allowed."),
    "surrogate": _("The text contains an invalid character (a lone UTF-16 surrogate)."),
    "replacement": _("The text contains U+FFFD: it was not valid UTF-8 when it was sent."),
    "control": _("The text contains a control character (U+%(code)04X), which is not allowed."),
    "line": _("Line breaks and tabs are not allowed here."),
    "bidi": _("The text contains a bidirectional control character (U+%(code)04X), which is not allowed."),
    "length": _("At most %(limit)d characters (this has %(count)d)."),
    "bytes": _("Too long: at most %(limit)d bytes (this has %(count)d)."),
    "integer": _("Enter a whole number."),
    "minimum": _("Must be at least %(limit)d."),
    "maximum": _("Must be at most %(limit)d."),
    "date": _("Enter a date as YYYY-MM-DD."),
    "date_range": _("Enter a date between 1900-01-01 and 2100-12-31."),
    "blank": _("This parameter was sent empty: give a value or leave it out."),
    "required": _("This parameter is required."),
    "unknown_fields": _("Unknown fields: %(fields)s."),
}


def body_max_bytes():
    """The largest item body accepted, in UTF-8 bytes after sanitising (BODY_MAX_BYTES)."""
    return getattr(settings, "BODY_MAX_BYTES", 1024 * 1024)


def problem(text, *, multiline=True):
    """The first way `text` breaks the policy, as (code, params), or None. No normalisation."""
    for char in text:
        code = ord(char)
        if code < 0x20 or 0x7F <= code < 0xA0:
            if code == 0:
                return "nul", {}
            if code in _LINE_BREAKS:
                if not multiline:
                    return "line", {}
                continue
            return "control", {"code": code}
        if 0xD800 <= code <= 0xDFFF:
            return "surrogate", {}
        if code in _BIDI:
            return "bidi", {"code": code}
        if code == _REPLACEMENT:
            return "replacement", {}
    return None


def check_text(value, *, multiline=True):
    """Raise ValidationError if `value` holds a character the policy refuses (no normalisation)."""
    found = problem(value, multiline=multiline)
    if found:
        code, params = found
        raise ValidationError(MESSAGES[code], code=code, params=params)


def clean_text(value, *, multiline=False, max_length=None, max_bytes=None, strip=True):
    """The accepted form of one text value: checked, NFC-normalised, stripped, within its limits.
    None becomes ""; anything other than a string is refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(MESSAGES["type"], code="type")
    check_text(value, multiline=multiline)
    value = unicodedata.normalize("NFC", value)
    if strip:
        value = value.strip()
    if max_length is not None and len(value) > max_length:
        raise ValidationError(MESSAGES["length"], code="length", params={"limit": max_length, "count": len(value)})
    if max_bytes is not None:
        size = len(value.encode("utf-8"))
        if size > max_bytes:
            raise ValidationError(MESSAGES["bytes"], code="bytes", params={"limit": max_bytes, "count": size})
    return value


def check_body_size(html):
    """An item body (already sanitised) within BODY_MAX_BYTES."""
    size = len(html.encode("utf-8"))
    if size > body_max_bytes():
        raise ValidationError(MESSAGES["bytes"], code="bytes", params={"limit": body_max_bytes(), "count": size})
    return html


# Dates anyone may send: wide enough for any school's records, narrow enough that the day after a
# period's end (or a time zone's shift) still exists — year 1 or 9999 cannot be turned into times.
DATE_MIN, DATE_MAX = datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)


def check_date(day):
    """Raise ValidationError unless `day` lies between DATE_MIN and DATE_MAX."""
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(MESSAGES["date_range"], code="date_range")
    return day


# --- Django forms ------------------------------------------------------------------------------


class TextField(forms.CharField):
    """A CharField under the policy; `multiline=True` allows tabs and line breaks."""

    def __init__(self, *args, multiline=False, max_bytes=None, **kwargs):
        self.multiline = multiline
        self.max_bytes = max_bytes
        if multiline:
            kwargs.setdefault("widget", forms.Textarea)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return self.empty_value
        return clean_text(value, multiline=self.multiline, max_bytes=self.max_bytes, strip=self.strip)


def _policy_applies(field):
    return isinstance(field, forms.CharField) and not isinstance(field.widget, (forms.PasswordInput, forms.HiddenInput))


class InputPolicyForm:
    """Mixin for forms (put it first): every text field is checked and NFC-normalised — multi-line
    where its widget is a Textarea — before the form's own cleaning. Errors name the field."""

    def _clean_fields(self):
        for name, field in self.fields.items():
            if not _policy_applies(field) or isinstance(field, TextField):
                continue
            raw = self.add_prefix(name)
            values = self.data.getlist(raw) if hasattr(self.data, "getlist") else [self.data.get(raw)]
            for value in values:
                if isinstance(value, str):
                    try:
                        check_text(value, multiline=isinstance(field.widget, forms.Textarea))
                    except ValidationError as error:
                        self.add_error(name, error)
                        break
        super()._clean_fields()
        for name, value in list(self.cleaned_data.items()):
            if isinstance(value, str) and name in self.fields and _policy_applies(self.fields[name]):
                self.cleaned_data[name] = unicodedata.normalize("NFC", value)


class InputPolicyModelForm(InputPolicyForm, forms.ModelForm):
    """The admin's base form (core.admin.PolicyAdmin) and any ModelForm's."""


def _policy_forms(cls=InputPolicyForm):
    for sub in cls.__subclasses__():
        yield sub
        yield from _policy_forms(sub)


# Labels of query parameters that a page reads without a form (app → {name: label}).
_PARAMETER_LABELS = {}


def register_labels(app, labels):
    """The labels a page without a Django form shows for its parameters (its template's <label>s),
    for field_labels."""
    _PARAMETER_LABELS.setdefault(app, {}).update(labels)


def field_labels(name, *, app=None):
    """The label(s) people see for a form field called `name` (its form prefix, as in
    "refuse-comment", is tried without too), from the project's forms under the policy — those of
    `app` first. For a page that refuses input before its form runs (core.middleware), so that
    the message names the field as the form does, not by its code. [] when none is known."""
    prefix, _sep, bare = name.rpartition("-")
    names = [name] + ([bare] if prefix else [])
    if app and name in _PARAMETER_LABELS.get(app, {}):
        return [str(_PARAMETER_LABELS[app][name])]
    found = {}
    for form in _policy_forms():
        fields = getattr(form, "base_fields", {})
        for candidate in names:
            field = fields.get(candidate)
            if field is not None and field.label:
                if prefix and form.__name__.lower() == f"{prefix}form":
                    return [str(field.label)]  # the form of that prefix ("refuse" → RefuseForm)
                found.setdefault(str(field.label), set()).add(form.__module__.split(".")[0])
                break
    if app:
        own = [label for label, apps in found.items() if app in apps]
        if own:
            return sorted(own)
    return sorted(found) if len(found) == 1 else []  # several other forms' labels would mislead


def check_known_fields(data, known, *, ignore=("csrfmiddlewaretoken",)):
    """Refuse a body that holds fields the operation does not take (a misspelt field would
    otherwise be silently dropped). ValidationError naming them."""
    unknown = sorted(str(key) for key in data if key not in known and key not in ignore)
    if unknown:
        raise ValidationError({"non_field_errors": [MESSAGES["unknown_fields"] % {"fields": "、".join(unknown)}]})


# --- DRF serializers ---------------------------------------------------------------------------

try:
    from rest_framework import serializers as _serializers
except ImportError:  # pragma: no cover - DRF is a dependency of the project
    _serializers = None

if _serializers is not None:

    class APITextField(_serializers.CharField):
        """A serializer CharField under the policy; `multiline=True` allows tabs and line breaks."""

        def __init__(self, *args, multiline=False, max_bytes=None, **kwargs):
            self.multiline = multiline
            self.max_bytes = max_bytes
            super().__init__(*args, **kwargs)

        def to_internal_value(self, data):
            if not isinstance(data, str):
                self.fail("invalid")
            return clean_text(data, multiline=self.multiline, max_bytes=self.max_bytes, strip=self.trim_whitespace)

    class APIBooleanField(_serializers.BooleanField):
        """true or false (JSON), or the strings "true"/"false" (a form body): not 0, 1, "yes"…"""

        def to_internal_value(self, data):
            if isinstance(data, bool):
                return data
            if isinstance(data, str) and data.lower() in ("true", "false"):
                return data.lower() == "true"
            self.fail("invalid", input=data)

    class StrictInputSerializer(_serializers.Serializer):
        """An input serializer that refuses fields it does not declare (400 naming them); the
        schema says `additionalProperties: false` (core.schema.closed_request_bodies)."""

        def to_internal_value(self, data):
            if hasattr(data, "keys"):
                check_known_fields(data, self.fields)
            return super().to_internal_value(data)


# --- query parameters --------------------------------------------------------------------------


def _blank(name, allow_blank):
    """A parameter sent empty: the default where blanks are allowed (a page's empty filter),
    otherwise an error (the API documents each parameter's type, and "" is none of them)."""
    if not allow_blank:
        raise ValidationError({name: [MESSAGES["blank"]]})


def query_text(request, name, *, max_length=200, default="", allow_blank=True):
    """A text query parameter under the policy (single line)."""
    raw = request.GET.get(name)
    if raw is None:
        return default
    if raw == "":
        _blank(name, allow_blank)
        return default
    try:
        return clean_text(raw, max_length=max_length)
    except ValidationError as error:
        raise ValidationError({name: error.messages}) from None


def query_int(request, name, *, default=None, minimum=None, maximum=None, allow_blank=True, required=False):
    """An integer query parameter; missing (or empty, where allowed) gives `default`.
    ValidationError {name: [...]}."""
    raw = request.GET.get(name)
    if raw is None and required:
        raise ValidationError({name: [MESSAGES["required"]]})
    if raw is None or raw.strip() == "":
        if raw is not None:
            _blank(name, allow_blank)
        return default
    raw = raw.strip()
    if not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 20:
        raise ValidationError({name: [MESSAGES["integer"]]})
    value = int(raw)
    if minimum is not None and value < minimum:
        raise ValidationError({name: [MESSAGES["minimum"] % {"limit": minimum}]})
    if maximum is not None and value > maximum:
        raise ValidationError({name: [MESSAGES["maximum"] % {"limit": maximum}]})
    return value


def query_date(request, name, *, allow_blank=True):
    """A YYYY-MM-DD query parameter; missing (or empty, where allowed) gives None.
    ValidationError {name: [...]}."""
    raw = request.GET.get(name)
    if not raw:
        if raw is not None:
            _blank(name, allow_blank)
        return None
    try:
        day = parse_date(raw.strip())
    except ValueError:  # well-formed but impossible, such as 2026-02-30
        day = None
    if day is None:
        raise ValidationError({name: [MESSAGES["date"]]})
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError({name: [MESSAGES["date_range"]]})
    return day


# --- identifiers -------------------------------------------------------------------------------

ID_MAX = 2**63 - 1  # the largest key a database row can have


def as_id(value):
    """A row key from untrusted input (int or decimal string) or None: never raises, never a
    number the database cannot compare (huge values, '²', '-1', True)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= ID_MAX else None
    if isinstance(value, str):
        value = value.strip()
        if value.isascii() and value.isdigit() and len(value) <= 19:
            number = int(value)
            return number if 0 < number <= ID_MAX else None
    return None
