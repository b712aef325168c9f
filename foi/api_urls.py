from django.urls import path, re_path

from foi import api

urlpatterns = [
    path("requests/", api.RequestListView.as_view(), name="api-foi-requests"),
    path("requests/<int:pk>/", api.RequestDetailView.as_view(), name="api-foi-request"),
    re_path(rf"^requests/(?P<pk>\d+)/(?P<action>{'|'.join(api.ACTIONS)})/$", api.RequestActionView.as_view(),
            name="api-foi-request-action"),
    path("complaints/", api.ComplaintListView.as_view(), name="api-foi-complaints"),
    path("evaluations/", api.EvaluationListView.as_view(), name="api-foi-evaluations"),
]
