from django.urls import path, re_path

from workflow import api
from workflow.transitions import API_ACTIONS

_ACTIONS = "|".join(API_ACTIONS)

urlpatterns = [
    path("catalogue/", api.CatalogueView.as_view(), name="api-catalogue"),
    path("disclosures/", api.DisclosureListView.as_view(), name="api-disclosures"),
    path("disclosures/<int:pk>/", api.DisclosureDetailView.as_view(), name="api-disclosure"),
    path("disclosures/<int:pk>/attachments/", api.AttachmentListView.as_view(), name="api-attachments"),
    path(
        "disclosures/<int:pk>/attachments/<int:attachment_pk>/",
        api.AttachmentDetailView.as_view(),
        name="api-attachment",
    ),
    path("disclosures/<int:pk>/reassign/", api.DisclosureReassignView.as_view(), name="api-disclosure-reassign"),
    path("tasks/", api.TaskListView.as_view(), name="api-tasks"),
    path("notifications/", api.NotificationListView.as_view(), name="api-notifications"),
]
# POST /api/disclosures/{id}/{action}/ for the named actions only (so other apps' paths such as
# .../record/ stay theirs).
urlpatterns.append(
    re_path(rf"^disclosures/(?P<pk>\d+)/(?P<action>{_ACTIONS})/$", api.DisclosureActionView.as_view(), name="api-disclosure-action")
)
