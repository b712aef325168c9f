"""Request context (client address, user agent, request id) for the events of one request."""

import contextvars

from core.client import client_ip

_request_context = contextvars.ContextVar("audit_request_context", default=None)


def current():
    return _request_context.get() or {"source": "system"}


def set_for_request(request, request_id):
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return _request_context.set(
        {
            "source": "web",
            "ip": client_ip(request),
            "forwarded_for": forwarded[:200],
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "request_id": request_id,
        }
    )


def anonymise(digest):
    """For the rest of this request, events carry a keyed digest of the sender's address instead of
    the address, forwarding chain and browser: members of the public applying online leave no
    personal data in the append-only log."""
    context = dict(current())
    for key in ("ip", "forwarded_for", "user_agent"):
        context.pop(key, None)
    context["ip_digest"] = digest
    _request_context.set(context)


def reset(token):
    _request_context.reset(token)
