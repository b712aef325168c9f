"""The public forms (no account). Every field is also checked by foi.services; these forms give the
browser its widgets and limits, and the /apply/ and /apply/complaint/ forms show the service's errors
with their own."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.inputs import InputPolicyForm
from foi import services
from foi.models import Complaint, InformationRequest


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe); foi.services checks each."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return single(data, initial)


class Honeypot(InputPolicyForm, forms.Form):
    # Hidden from people by CSS; bots fill every field.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)


class ApplyForm(Honeypot):
    applicant_kind = forms.ChoiceField(label=_("Applicant"), choices=InformationRequest.ApplicantKind.choices, widget=forms.RadioSelect, initial="person")
    applicant_name = forms.CharField(label=_("Name or organisation"), max_length=200)
    id_type = forms.ChoiceField(label=_("Identity document"), choices=InformationRequest.IdType.choices)
    id_number = forms.CharField(label=_("Identity document number"), max_length=40)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    email = forms.CharField(label=_("E-mail"), max_length=200, required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    postal_address = forms.CharField(label=_("Postal address"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Information sought"), max_length=5000,
        help_text=_("The title, document number or other features that help find it."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    about_own_information = forms.BooleanField(label=_("It concerns my own personal information"), required=False)
    form_wanted = forms.ChoiceField(label=_("Form wanted"), choices=InformationRequest.Form.choices, initial="email")
    delivery = forms.ChoiceField(label=_("How to receive it"), choices=InformationRequest.Delivery.choices, initial="online")
    attachments = MultipleFileField(label=_("Attachments (optional)"), required=False)
    held_files = ()  # uploads kept from an earlier try (core.uploads), set by the view
    file_count = 0  # the files this try would send (kept and new), set by the view

    def clean(self):
        """The service's rules too (foi.services.check_application), so that one try names every
        problem. A field this form refused goes to them as typed, and keeps this form's error."""
        cleaned = super().clean()
        given = {name: cleaned[name] if name in cleaned else self.data.get(name, "") for name in APPLICATION_FIELDS}
        _values, errors = services.check_application(**given, file_count=self.file_count)
        for field, messages in errors.items():
            if field not in self.errors:
                self.add_error(field, messages)
        return cleaned


APPLICATION_FIELDS = ("applicant_kind", "applicant_name", "id_type", "id_number", "phone", "email", "postal_address",
                      "description", "form_wanted", "delivery")


class LookupForm(Honeypot):
    number = forms.CharField(label=_("Number"), max_length=20)
    code = forms.CharField(label=_("Access code"), max_length=20, widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"}))


class CorrectionForm(InputPolicyForm, forms.Form):
    correction = forms.CharField(label=_("Your correction"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class ComplaintForm(Honeypot):
    kind = forms.ChoiceField(
        label=_("Kind"), widget=forms.RadioSelect, initial="complaint",
        choices=[(Complaint.Kind.COMPLAINT, _("Complaint or report")), (Complaint.Kind.SUGGESTION, _("Suggestion"))],
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=200, required=False, widget=forms.EmailInput)
    summary = forms.CharField(label=_("What it is about"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))

    def clean(self):
        """The service's rules too (foi.services.check_complaint), so that one try names every
        problem. A field this form refused goes to them as typed, and keeps this form's error."""
        cleaned = super().clean()
        given = {name: cleaned[name] if name in cleaned else self.data.get(name, "") for name in COMPLAINT_FIELDS}
        _values, errors = services.check_complaint(**given)
        for field, messages in errors.items():
            if field not in self.errors:
                self.add_error(field, messages)
        return cleaned


COMPLAINT_FIELDS = ("kind", "name", "email", "phone", "summary")
