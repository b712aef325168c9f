"""Production settings: the development defaults plus what `manage.py check --deploy` asks for.

Refuses to start without a real SECRET_KEY; keys and certificates come from the environment.
"""

import os

from django.core.exceptions import ImproperlyConfigured

# Checked before the base settings load, which would otherwise generate a development key.
if len(os.environ.get("SECRET_KEY", "")) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters in production")

from core.env import env_bool, env_int  # noqa: E402
from gongkai.settings import *  # noqa: E402,F401,F403

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# A load balancer probes the web processes directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "gongkai.staticfiles.StaticFilesStorage"},
}
