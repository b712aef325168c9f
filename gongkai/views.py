from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from policies.access import roles_of


@login_required
def home(request):
    from workflow.views import inbox_context

    context = {"memberships": roles_of(request.user), **inbox_context(request.user, limit=10)}
    return render(request, "home.html", context)

