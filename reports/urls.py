from django.urls import path

from reports import annual_views, catalogue_views, overview_views, views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("overview/", overview_views.overview_page, name="overview"),  # the leaders' dashboard
    path("register/", views.register_table, name="register"),
    path("register.xlsx", views.register_xlsx, name="register-xlsx"),
    path("annual/", annual_views.annual_report, name="annual"),
    path("catalogue/", catalogue_views.catalogue, name="catalogue"),
    path("catalogue/entries/new/", catalogue_views.entry_edit, name="entry-new"),
    path("catalogue/entries/<int:pk>/", catalogue_views.entry_edit, name="entry-edit"),
    path("catalogue/categories/new/", catalogue_views.category_edit, name="category-new"),
    path("catalogue/categories/<int:pk>/", catalogue_views.category_edit, name="category-edit"),
]
