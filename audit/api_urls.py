from django.urls import path

from audit import api

urlpatterns = [
    path("events/", api.EventsView.as_view(), name="audit-api-events"),
    path("checkpoint/", api.CheckpointView.as_view(), name="audit-api-checkpoint"),
    path("key/", api.KeyView.as_view(), name="audit-api-key"),
    path("key/history/", api.KeyHistoryView.as_view(), name="audit-api-key-history"),
    path("key/rotations/", api.KeyRotationsView.as_view(), name="audit-api-key-rotations"),
    path("proof/inclusion/", api.InclusionProofView.as_view(), name="audit-api-inclusion"),
    path("proof/consistency/", api.ConsistencyProofView.as_view(), name="audit-api-consistency"),
]
