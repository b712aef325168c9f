# The /api/audit/ endpoints of CONTRACT.md are built in the audit issue.
urlpatterns = []
