from django import forms
from django.utils.translation import gettext_lazy as _

from core.inputs import InputPolicyForm
from foi.models import Complaint, Evaluation, InformationRequest
from policies.models import Department
from core.grounds import RefusalGround


class DateInput(forms.DateInput):
    """A browser date picker: its value must be ISO, whatever the language's date format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class RequestForm(InputPolicyForm, forms.Form):
    received_on = forms.DateField(label=_("received on"), widget=DateInput)
    applicant_name = forms.CharField(label=_("applicant"), max_length=200)
    applicant_kind = forms.ChoiceField(label=_("applicant kind"), choices=InformationRequest.ApplicantKind.choices)
    contact = forms.CharField(label=_("contact details"), max_length=300)
    description = forms.CharField(label=_("information sought"), widget=forms.Textarea(attrs={"rows": 4}))
    form_wanted = forms.ChoiceField(label=_("form wanted"), choices=InformationRequest.Form.choices)
    delivery = forms.ChoiceField(label=_("delivery"), choices=InformationRequest.Delivery.choices)
    about_own_information = forms.BooleanField(label=_("about the applicant's own personal information"), required=False)
    identity_checked = forms.BooleanField(label=_("identity document checked"), required=False)
    department = forms.ModelChoiceField(label=_("handling department"), queryset=Department.objects.filter(active=True), required=False)


class ConfirmForm(InputPolicyForm, forms.Form):
    """An action that needs nothing but the button."""


class PauseForm(InputPolicyForm, forms.Form):
    waiting_for = forms.ChoiceField(
        label=_("waiting for"), choices=[("correction", _("the applicant's correction")), ("third_party", _("a third party's opinion"))]
    )
    note = forms.CharField(label=_("what is asked for"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(InputPolicyForm, forms.Form):
    days = forms.IntegerField(label=_("extra working days"), min_value=1)
    reason = forms.CharField(label=_("reason"), max_length=300)


class AnswerForm(InputPolicyForm, forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=InformationRequest.Outcome.choices)
    refusal_ground = forms.ChoiceField(label=_("ground"), choices=[("", "—")] + RefusalGround.choices, required=False)
    referred_to = forms.CharField(label=_("body referred to"), max_length=200, required=False)
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 4}))


class ComplaintForm(InputPolicyForm, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Complaint.Kind.choices)
    received_on = forms.DateField(label=_("received on"), widget=DateInput)
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea(attrs={"rows": 3}))


class EvaluationForm(InputPolicyForm, forms.Form):
    held_on = forms.DateField(label=_("held on"), widget=DateInput)
    evaluators = forms.ChoiceField(label=_("evaluators"), choices=Evaluation.Evaluators.choices)
    # The API's limits: a count the database's integer column holds.
    participants = forms.IntegerField(label=_("participants"), min_value=1, max_value=1_000_000)
    satisfied = forms.IntegerField(label=_("satisfied"), min_value=0, max_value=1_000_000)
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AssignForm(InputPolicyForm, forms.Form):
    department = forms.ModelChoiceField(label=_("handling department"), queryset=Department.objects.filter(active=True))


class DraftForm(InputPolicyForm, forms.Form):
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[(v, l) for v, l in InformationRequest.Outcome.choices if v not in ("unclear", "withdrawn")],
    )
    refusal_ground = forms.ChoiceField(label=_("ground"), choices=[("", "—")] + RefusalGround.choices, required=False)
    referred_to = forms.CharField(label=_("body referred to"), max_length=200, required=False)
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 4}))


class ApproveForm(InputPolicyForm, forms.Form):
    comment = forms.CharField(label=_("comment"), max_length=500, required=False)


class ComplaintAnswerForm(InputPolicyForm, forms.Form):
    result = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 4}))
