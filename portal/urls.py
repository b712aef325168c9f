from django.urls import path

from portal import office, pages, views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("category/<int:number>/", views.category, name="category"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("search/", views.search, name="search"),
    path("feed/", views.feed, name="feed"),
    path("guide/", pages.guide, name="guide"),
    path("catalogue/", pages.catalogue, name="catalogue"),
    path("annual-reports/", pages.annual_reports, name="annual-reports"),
    path("office/guide/", pages.guide_edit, name="guide-edit"),
    # The office's channel records (login required).
    path("office/channels/", office.published_list, name="channels"),
    path("office/channels/items/<int:pk>/", office.item_channels, name="item-channels"),
]
