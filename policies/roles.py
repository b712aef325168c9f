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
    "policies.view_delegation",  # read only: the office ends delegations on /workflow/delegations/
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    # workflow/: the catalogue and the working-day calendar (saves audited by workflow.admin)
    "workflow.view_cataloguecategory",
    "workflow.add_cataloguecategory",
    "workflow.change_cataloguecategory",
    "workflow.view_catalogueentry",
    "workflow.add_catalogueentry",
    "workflow.change_catalogueentry",
    "workflow.view_calendarday",
    "workflow.add_calendarday",
    "workflow.change_calendarday",
    "workflow.delete_calendarday",
    # the channels items are published on (saves audited by workflow.admin) and their posts (portal)
    "workflow.view_channel",
    "workflow.add_channel",
    "workflow.change_channel",
    "portal.view_channelpost",
    # reports/: the annual report's key areas and the office's other figures (saves audited by reports.admin)
    "reports.view_reportarea",
    "reports.add_reportarea",
    "reports.change_reportarea",
    "reports.view_reportfigure",
    "reports.add_reportfigure",
    "reports.change_reportfigure",
    "reports.delete_reportfigure",
    "reports.view_reportnarrative",
)


def group_name(role):
    return f"role:{role}"


# 代理审批: the roles whose holder may name a deputy, and the permission the deputy then holds on
# the department (the role's decisions; the deputy already sees the items as a member).
DELEGABLE_PERMISSIONS = {
    Role.HEAD: "approve_items",
    Role.REVIEWER: "review_items",
}
