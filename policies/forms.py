from django.contrib.auth.forms import AuthenticationForm

from core.inputs import InputPolicyForm


class LoginForm(InputPolicyForm, AuthenticationForm):
    """Django's login form under the input policy; throttling is django-axes' (policies/login.py)."""
