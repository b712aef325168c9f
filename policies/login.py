"""Login throttling (django-axes, counters in the database so every web process shares them).

A failure counts against the pair (username, client address): an attacker who guesses a victim's
password locks only that pair, never the victim at their own address, nor other users behind the
same address. Each lockout lasts LOGIN_FAILURE_WINDOW seconds and doubles while the failures go on
(at most a day). Settings: gongkai/settings.py (AXES_*), README "Configuration"."""

import datetime

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render

from core.client import client_ip

MAX_COOL_OFF = datetime.timedelta(days=1)


def failure_limit(request, credentials):
    """AXES_FAILURE_LIMIT (read at each check, so the setting can change at run time)."""
    return settings.LOGIN_FAILURE_LIMIT


def _failures(request):
    from axes.models import AccessAttempt

    known = getattr(request, "axes_failures_since_start", None)
    if known is not None:
        return known
    username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD, "") if request is not None else ""
    attempt = AccessAttempt.objects.filter(username=username, ip_address=client_ip(request)).first()
    return attempt.failures_since_start if attempt else 0


def cool_off(request):
    """AXES_COOLOFF_TIME: the window, doubled for each further run of failures during a lockout."""
    base = datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    if request is None:
        return base
    limit = max(1, settings.LOGIN_FAILURE_LIMIT)
    extra_runs = max(0, _failures(request) - limit) // limit
    return min(base * (2 ** min(extra_runs, 10)), MAX_COOL_OFF)


def lockout_response(request, original_response, credentials):
    """AXES_LOCKOUT_CALLABLE: the login page's message, in minutes, with 429 Too Many Requests."""
    minutes = max(1, int(cool_off(request).total_seconds() // 60))
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' check, for web logins (a request to hold to account); authentication without
    one (a management command, a script) has no client to throttle and passes to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
