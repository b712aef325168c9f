from django.urls import path

from records import views

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("api/disclosures/<int:pk>/record/", views.record_download, name="item-record"),
]
