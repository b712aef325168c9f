"""Who may read the audit trail: auditors and the disclosure office (policies.view_audit,
granted school-wide by their roles)."""


def can_view_audit(user):
    return bool(user and user.is_authenticated and user.is_active and user.has_perm("policies.view_audit"))
