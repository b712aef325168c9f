"""The staff member's own page for deputies (代理审批): a head or confidentiality reviewer names a
deputy for a period and may end the delegation early. Thin: policies.services decides and audits."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.display import person
from core import inputs
from policies import services
from policies.models import Delegation


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person(obj)


class DeputyForm(inputs.InputPolicyForm, forms.Form):
    """Parses the page's input; the rules (who, which dates) are policies.services.name_deputy's."""

    membership = forms.TypedChoiceField(label=gettext_lazy("Role"), coerce=int)
    deputy = PersonChoiceField(label=gettext_lazy("Deputy"), queryset=get_user_model().objects.none(),
                               empty_label=gettext_lazy("— choose a colleague —"))
    # A date field takes only ISO values: the Chinese locale's 2025/10/27 showed an empty field.
    starts_on = forms.DateField(label=gettext_lazy("First day"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=gettext_lazy("Last day"),
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=200,
                           help_text=gettext_lazy("For example the reason for the absence; the deputy sees it."))

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = {m.pk: m for m in memberships}
        self.fields["membership"].choices = [(m.pk, f"{m.department.name} · {m.get_role_display()}") for m in memberships]
        candidates = get_user_model().objects.none()
        for membership in memberships:
            candidates = candidates | services.deputy_candidates(membership)
        self.fields["deputy"].queryset = candidates.distinct()


@login_required
def deputies(request):
    memberships = services.delegable_roles(request.user)
    form = None
    if memberships:
        today = timezone.localdate()
        initial = {"membership": memberships[0].pk, "starts_on": today}
        form = DeputyForm(request.POST or None, memberships=memberships, initial=initial)
        if request.method == "POST" and form.is_valid():
            membership = form.memberships[form.cleaned_data["membership"]]
            try:
                delegation = services.name_deputy(
                    membership, deputy=form.cleaned_data["deputy"], starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"], note=form.cleaned_data["note"], actor=request.user,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("%(name)s is your deputy from %(start)s to %(end)s.") % {
                    "name": person(delegation.deputy), "start": delegation.starts_on.isoformat(),
                    "end": delegation.ends_on.isoformat()})
                return redirect("deputies")
    given, held = services.delegations_of(request.user)
    status = 400 if form is not None and form.errors else 200
    return render(request, "policies/deputies.html", {
        "form": form, "given": given, "held": held, "today": timezone.localdate(),
    }, status=status)


@login_required
@require_POST
def end_deputy(request, pk):
    delegation = Delegation.objects.filter(pk=pk, principal=request.user).first()
    if delegation is None:  # someone else's: as if it did not exist
        raise Http404("No such delegation")
    try:
        services.end_delegation(delegation, actor=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    except PermissionDenied as denied:
        messages.error(request, str(denied))
    else:
        messages.success(request, _("The delegation to %(name)s has ended.") % {"name": person(delegation.deputy)})
    return redirect("deputies")
