from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.inputs import InputPolicyForm


class ThrottledAuthenticationForm(InputPolicyForm, AuthenticationForm):
    """Django's login form with a cool-down after repeated failures, per username and per address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed logins. Please try again in %(minutes)d minutes."),
    }

    def _throttle_keys(self):
        username = (self.data.get("username") or "").strip().lower()
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        return [f"login-failures:user:{username}", f"login-failures:ip:{address}"]

    def clean(self):
        keys = self._throttle_keys()
        if any(cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT for key in keys):
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, settings.LOGIN_FAILURE_WINDOW // 60)},
            )
        try:
            return super().clean()
        except ValidationError:
            for key in keys:
                cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW)
                cache.incr(key)
            raise
