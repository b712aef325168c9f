"""The one access helper for requests, used by the pages and the API alike: a request the user may
not see is a 404, exactly like a missing one, whoever asks (what they may then do is the
services' and the views' 403)."""

from django.http import Http404

from foi import services
from foi.models import InformationRequest


def request_for(user, pk):
    """The request with its department if this user may see it (the office, auditors, leaders,
    the assigned department); Http404 otherwise, whether it exists or not."""
    req = InformationRequest.objects.select_related("department").filter(pk=pk).first()
    if req is None or not services.may_see(user, req):
        raise Http404("No such request")
    return req
