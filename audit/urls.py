from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="events"),
    path("events/<int:seq>/", views.event_detail, name="event"),
    path("trail/<str:object_type>/<str:object_id>/", views.trail, name="trail"),
    path("export/", views.export, name="export"),
    path("exports/", views.exports, name="exports"),
    path("exports/<int:pk>/", views.export_download, name="export-download"),
    path("export/events.csv", views.export_filtered, name="export-filtered"),
]
