from django.urls import path

from foi import public_views

urlpatterns = [
    path("apply/", public_views.apply, name="apply"),
    path("apply/complaint/", public_views.complain, name="apply-complaint"),
    path("apply/submitted/<str:number>/", public_views.submitted, name="apply-submitted"),
    path("apply/status/", public_views.status_lookup, name="apply-status"),
    path("apply/status/<str:number>/", public_views.status_detail, name="apply-status-detail"),
    path("apply/status/<str:number>/correction/", public_views.correction, name="apply-correction"),
    path("apply/status/<str:number>/letters/<int:pk>/", public_views.letter, name="apply-letter"),
]
