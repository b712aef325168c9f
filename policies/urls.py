from django.contrib.auth import views as auth_views
from django.urls import path

from policies import views
from policies.forms import LoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # 代理审批: a head's or reviewer's own page for naming a deputy (linked from their home page)
    path("deputies/", views.deputies, name="deputies"),
    path("deputies/<int:pk>/end/", views.end_deputy, name="end-deputy"),
]
