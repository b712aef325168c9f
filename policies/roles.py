"""What each role may do: the single table the grant service turns into permissions."""

from policies.models import Role

# Granted on the member's own department (django-guardian object permissions).
DEPARTMENT_PERMISSIONS = {
    Role.LIAISON: ("view_items", "draft_items"),
    Role.HEAD: ("view_items", "approve_items"),
    Role.REVIEWER: ("view_items", "review_items"),
}

# Granted school-wide through one Django group per role.
SCHOOL_PERMISSIONS = {
    Role.OFFICE: ("view_items", "publish_items", "view_audit"),
    Role.LEADER: ("view_items", "approve_major_items"),
    Role.SECRECY: ("view_items", "review_secret_items"),
    Role.AUDITOR: ("view_items", "view_audit"),
}

# The office runs the Django admin (departments, memberships, catalogue, calendar).
STAFF_ROLES = {Role.OFFICE}
OFFICE_ADMIN_PERMISSIONS = (
    "policies.view_department",
    "policies.add_department",
    "policies.change_department",
    "policies.view_membership",
    "policies.add_membership",
    "policies.change_membership",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
)


def group_name(role):
    return f"role:{role}"
