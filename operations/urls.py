from django.urls import path

from operations import views

app_name = "operations"

urlpatterns = [
    path("office/health/", views.status, name="status"),
    path("office/health/retry/", views.retry, name="retry"),
]
