from django.urls import path

from portal import office, views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("category/<int:number>/", views.category, name="category"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("search/", views.search, name="search"),
    path("feed/", views.feed, name="feed"),
    # The office's channel records (login required).
    path("office/channels/", office.published_list, name="channels"),
    path("office/channels/items/<int:pk>/", office.item_channels, name="item-channels"),
]
