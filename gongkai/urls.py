from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from gongkai import views
from operations import views as operations_views

# The administration is ours, named in the users' language, not "Django administration".
admin.site.site_header = _("Gongkai · System administration")
admin.site.site_title = _("Gongkai · System administration")
admin.site.index_title = _("System administration")

urlpatterns = [
    path("healthz", operations_views.healthz, name="healthz"),
    path("readyz", operations_views.readyz, name="readyz"),
    path("", include("operations.urls")),  # /office/health/
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/", include("policies.urls")),
    path("home/", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP). Swagger
    # UI sets inline styles as it draws, so this one page allows inline styles (never scripts).
    path("api/docs/", csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
         name="api-docs"),
    path("api/audit/", include("audit.api_urls")),
    path("audit/", include("audit.urls")),
    path("api/foi/", include("foi.api_urls")),  # disclosure on application
    path("api/", include("portal.api_urls")),  # channels and channel posts
    path("api/", include("workflow.api_urls")),  # catalogue, disclosures, tasks, notifications
    path("workflow/", include("workflow.urls")),  # inbox, drafting, item pages (links in the e-mails)
    path("foi/", include("foi.urls")),  # disclosure on application (office)
    path("reports/", include("reports.urls")),
    path("office/import/", include("imports.urls")),  # history import (迁移导入)
    path("", include("foi.public_urls")),  # /apply/ and /apply/status/: applying online (no account)
    path("", include("records.urls")),  # /verify/ and /api/disclosures/{id}/record/
    path("", include("portal.urls")),  # the public site: /, /category/…, /items/…, /search/, /feed/
]

# Our own error pages (Chinese first, with a way back) everywhere, viewflow's views included.
handler403 = "gongkai.views.permission_denied"
handler404 = "gongkai.views.page_not_found"  # public wording on the public site; hidden and missing alike
handler500 = "gongkai.views.server_error"
