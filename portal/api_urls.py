from django.urls import path

from portal import api

urlpatterns = [
    path("channels/", api.ChannelListView.as_view(), name="api-channels"),
    path("channel-posts/", api.ChannelPostListView.as_view(), name="api-channel-posts"),
    path("channel-posts/<int:pk>/", api.ChannelPostDetailView.as_view(), name="api-channel-post"),
]
