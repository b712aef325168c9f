"""Who may read the audit trail: auditors and the disclosure office. audit sits below the app that
answers permissions, so policies registers its answer here when the apps load (PoliciesConfig.ready
-> `reader(check)`); until then nobody may."""

_reader = []


def reader(check):
    """Register `check(user) -> bool`, the one answer to "may this user read the trail?"."""
    _reader[:] = [check]


def can_view_audit(user):
    return bool(_reader) and bool(_reader[0](user))
