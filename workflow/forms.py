"""Forms for the workflow pages. They only shape the input for the browser (widgets, choices); the
values go through workflow.params as the API's do, and every rule is the service's. The views turn
a ValidationError back into errors on these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.display import person
from core.grounds import RefusalGround
from core.inputs import InputPolicyForm
from workflow.channels import accepted_codes, channel_names
from workflow.transitions import API_ACTIONS, TABLE


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (the service checks each one)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def channel_choices():
    """(code, name) of the channel table's active channels."""
    names = channel_names()
    return [(code, names.get(code, code)) for code in accepted_codes()]


def entry_choices(entries):
    """The catalogue entries by number and title, grouped by department when there are several."""
    entries = list(entries)
    options = lambda group: [(str(e.pk), f"{e.code}. {e.title}") for e in group]  # noqa: E731
    departments = list(dict.fromkeys(e.department for e in entries))
    if len(departments) < 2:
        return options(entries)
    return [(d.name, options([e for e in entries if e.department == d])) for d in departments]


def item_label(item):
    """How a linked item is named in a chooser: its title, department and state."""
    return f"{item.title}（{item.department.name} · {item.get_state_display()}）"


class ItemForm(InputPolicyForm, forms.Form):
    """Create (with a catalogue entry) or edit a draft. Fields are optional here so that the
    service's own messages (\"A title is required.\") are the ones people see."""

    # A plain value: the service says whether the entry exists and is the user's to draft from.
    catalogue_entry = forms.CharField(label=_("Catalogue entry"), required=False,
                                      widget=forms.Select(attrs={"aria-required": "true"}))
    title = forms.CharField(label=_("Title"), required=False, max_length=300,
                            widget=forms.TextInput(attrs={"size": 60, "aria-required": "true"}))
    body = forms.CharField(
        label=_("Body"), required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80, "class": "rich-text"}),
        help_text=_("Formatting is kept; scripts and active content are refused."),
    )
    # The browser shows the date in its own way (年/月/日, mm/dd/yyyy …) and always sends it as ISO;
    # so the messages here name no format, and the field also takes what people type without a picker.
    produced_on = forms.DateField(label=_("Produced on"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date", "aria-required": "true"}, format="%Y-%m-%d"),
                                  error_messages={"invalid": _("Enter a valid date (pick it in the date field).")},
                                  help_text=_("The 20 working days to publication start the day after."))
    channels = forms.MultipleChoiceField(label=_("Proposed channels"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    is_policy_document = forms.BooleanField(label=_("Important policy document (needs a policy interpretation)"),
                                            required=False)
    interpretation_url = forms.CharField(label=_("Policy interpretation link"), required=False,
                                         widget=forms.URLInput(attrs={"size": 60}))
    # A select of the items this user may see, by title and department; workflow/chooser.js adds a
    # search box that asks the server for more (the service checks the choice either way).
    interpretation = forms.CharField(label=_("Policy interpretation item"), required=False,
                                     widget=forms.Select(attrs={"class": "item-chooser"}))
    is_major = forms.BooleanField(label=_("Major matter (the leading group approves too)"), required=False)
    touches_state_secret = forms.BooleanField(label=_("Touches state secrets (the secrecy office reviews too)"),
                                              required=False)
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, entries=None, interpretations=(), search_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.held_files = []  # uploads kept from an earlier try (core.uploads), set by the view
        for name in ("catalogue_entry", "title", "produced_on"):
            if name in self.fields:
                self.fields[name].marked_required = True  # the service requires them: say so
        self.fields["channels"].choices = channel_choices()
        if entries is None:
            del self.fields["catalogue_entry"]
        else:
            self.fields["catalogue_entry"].widget.choices = [("", _("Choose a catalogue entry"))] + entry_choices(entries)
        chooser = self.fields["interpretation"].widget
        chooser.choices = [("", _("None linked"))] + [(str(pk), label) for pk, label in interpretations]
        if search_url:
            chooser.attrs["data-search-url"] = search_url

    def service_data(self):
        """The editable fields, as the services take them."""
        data = dict(self.cleaned_data)
        data.pop("catalogue_entry", None)
        data.pop("attachments", None)
        return data


class ActionForm(InputPolicyForm, forms.Form):
    """The form under an action's button; its fields are what the transition `accepts`
    (workflow.transitions), read again by workflow.params.action_params like the API's body."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "channels" in self.fields:
            self.fields["channels"].choices = channel_choices()


def _comment_field(transition):
    label = transition.comment_label or (_("Comment (required)") if "comment" in transition.requires else _("Comment"))
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}))


_FIELDS = {
    "comment": _comment_field,
    # Required (the service says so if it is missing), so marked as such; named in Chinese.
    "ground": lambda t: forms.ChoiceField(label=_("Ground for not disclosing (required)"), required=False,
                                          choices=[("", _("Choose a ground")), *RefusalGround.choices],
                                          widget=forms.Select(attrs={"aria-required": "true"})),
    "channels": lambda t: forms.MultipleChoiceField(label=_("Channels (the disclosure column is always included)"),
                                                    required=False, widget=forms.CheckboxSelectMultiple),
    "publish_at": lambda t: forms.DateTimeField(
        label=_("Publish at (leave empty to publish now)"), required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Enter a valid date and time (pick them in the field).")}),
}


def _action_form(transition):
    # The ground before the comment (as people decide: why, then in their words).
    names = sorted(transition.accepts, key=lambda name: name == "comment")
    fields = {name: _FIELDS[name](transition) for name in names}
    return type(f"{transition.action.title()}Form", (ActionForm,), fields)


# action → (form class, button label): the item page's buttons, from the transition table.
ACTION_FORMS = {action: (_action_form(TABLE[action]), TABLE[action].button) for action in API_ACTIONS}


class ReassignForm(InputPolicyForm, forms.Form):
    """The office gives the current step's task to another holder of its role (the choices are the
    role's members in the item's department; workflow.services.reassign checks it again)."""

    to = forms.TypedChoiceField(label=_("Give the task to"), coerce=int)
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [("", _("— choose —"))] + [(p.pk, person(p)) for p in people]
