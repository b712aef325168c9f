"""A bare Django "hello" application: the yardstick for the cached public pages (bench/portal_pages.py).

Settings, URL configuration and WSGI application in one module, no middleware, no database:

    DJANGO_SETTINGS_MODULE=hello PYTHONPATH=bench gunicorn hello:application
"""

import os

from django.http import HttpResponse
from django.urls import path

SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "hello"
MIDDLEWARE = []
INSTALLED_APPS = []
DATABASES = {}
USE_TZ = True


def hello(request):
    return HttpResponse("hello")


urlpatterns = [path("", hello)]

if os.environ.get("DJANGO_SETTINGS_MODULE") == "hello":
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
