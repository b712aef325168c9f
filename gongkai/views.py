from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from policies.access import roles_of


@login_required
def home(request):
    return render(request, "home.html", {"memberships": roles_of(request.user)})


def index(request):
    """Until the public portal takes "/", send people to their workspace or the login page."""
    return redirect("home" if request.user.is_authenticated else "login")
