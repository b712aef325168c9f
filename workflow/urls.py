"""The workflow's pages, mounted at /workflow/ (the links in the workflow's e-mails point here)."""

from django.urls import path, re_path

from workflow import views
from workflow.forms import ACTION_FORMS

app_name = "workflow"

_ACTIONS = "|".join(ACTION_FORMS)

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("items/", views.item_list, name="items"),
    path("items/new/", views.item_new, name="new"),
    path("items/choose/", views.choose_item, name="choose-item"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/edit/", views.item_edit, name="edit"),
    path("items/<int:pk>/diff/", views.version_diff, name="diff"),
    path("items/<int:pk>/reassign/", views.item_reassign, name="reassign"),  # 改派 (the office)
    path("items/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("delegations/", views.delegations, name="delegations"),  # 代理审批, all of them (the office)
    path("delegations/<int:pk>/end/", views.delegation_end, name="delegation-end"),
    re_path(rf"^items/(?P<pk>\d+)/(?P<action>{_ACTIONS})/$", views.item_action, name="action"),
]
