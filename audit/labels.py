"""One registry of audit event types: each action code's label in plain language and its group
(for the auditor's filters). Apps register their own codes (workflow registers the labels of its
transition table from workflow.apps); anything unregistered still shows, by its group's name."""

from django.utils.translation import gettext_lazy as _

GROUPS = {
    "disclosure": _("Disclosure items"),
    "foi": _("Disclosure on application"),
    "auth": _("Logins and accounts"),
    "access": _("Roles and departments"),
    "records": _("Signed records"),
    "exports": _("Exports and reports"),
    "settings": _("Catalogue, calendar and channels"),
    "system": _("System and audit log"),
}

# Action code prefix → group, longest prefix first wins.
PREFIX_GROUPS = {
    "disclosure.": "disclosure", "foi.": "foi", "auth.": "auth", "api_token.": "auth",
    "membership.": "access", "department.": "access", "delegation.": "access", "permission.": "access",
    "record.": "records", "register.": "exports", "annual_report.": "exports", "audit.export": "exports",
    "catalogue.": "settings", "calendar.": "settings", "channel.": "settings",
    "import.": "settings", "audit.": "system", "operations.": "system",
}

_LABELS = {
    "auth.login": _("Logged in"),
    "auth.logout": _("Logged out"),
    "auth.login_failed": _("Failed login"),
    "api_token.issue": _("API token issued"),
    "membership.add": _("Role granted"),
    "membership.end": _("Role ended"),
    "delegation.create": _("Deputy named (代理审批)"),
    "delegation.end": _("Delegation ended"),
    "department.create": _("Department created"),
    "department.update": _("Department changed"),
    "record.issue": _("Signed record issued"),
    "record.download": _("Record downloaded"),
    "register.export": _("Register exported"),
    "annual_report.export": _("Annual report exported"),
    "audit.export": _("Audit log exported"),
    "audit.export_filtered": _("Audit events exported (filtered list)"),
    "audit.key_rotate": _("Checkpoint signing key rotated"),
    "catalogue.seed": _("Catalogue seeded"),
    "catalogue.category.create": _("Catalogue category created"),
    "catalogue.category.update": _("Catalogue category changed"),
    "catalogue.entry.create": _("Catalogue item created"),
    "catalogue.entry.update": _("Catalogue item changed"),
    "calendar.day.save": _("Working-day calendar changed"),
    "calendar.day.delete": _("Working-day calendar entry removed"),
    "channel.create": _("Channel added"),
    "channel.update": _("Channel changed"),
    "channel.post.record": _("Channel posting recorded"),
    "channel.post.remove": _("Channel posting removed"),
    "channel.post.import": _("Channel posting imported"),
    "disclosure.import": _("Past publication imported"),
    "import.xlsx": _("History imported"),
    "operations.repair": _("Background work repaired"),
    "operations.reconcile": _("Background work checked"),
    "foi.request.receive": _("Request received"),
    "foi.request.assign": _("Request assigned to a department"),
    "foi.request.draft": _("Reply drafted"),
    "foi.request.submit": _("Reply submitted for approval"),
    "foi.request.approve": _("Reply approved"),
    "foi.request.answer": _("Request answered"),
    "foi.request.extend": _("Deadline extended"),
    "foi.request.pause": _("Clock paused"),
    "foi.request.resume": _("Clock resumed"),
    "foi.request.correct": _("Correction requested"),
    "foi.request.confirm": _("Request confirmed"),
    "foi.request.erase_identity": _("Applicant's identity erased"),
    "foi.letter.issue": _("Letter issued"),
    "foi.letter_template.version": _("Letter template changed"),
    "foi.complaint.record": _("Complaint recorded"),
    "foi.complaint.submit": _("Complaint submitted"),
    "foi.complaint.close": _("Complaint closed"),
    "foi.complaint.erase_identity": _("Complainant's identity erased"),
    "foi.evaluation.record": _("Evaluation recorded"),
}

LOGIN_ACTIONS = ("auth.login", "auth.logout", "auth.login_failed")


def register(labels):
    """Add or replace labels: {action code: label}. Called by apps at start-up."""
    _LABELS.update(labels)


def group_of(action):
    best = max((prefix for prefix in PREFIX_GROUPS if action.startswith(prefix)), key=len, default=None)
    return PREFIX_GROUPS[best] if best else "system"


def label(action):
    """The action's name for people; an unknown code gets its group's name, never the code."""
    if action in _LABELS:
        return _LABELS[action]
    return GROUPS[group_of(action)]


def actions_in(group):
    return [code for code in _LABELS if group_of(code) == group]


def choices():
    """[(action code, label)] grouped, for a select's <optgroup>s: [(group label, [(code, label)])]."""
    return [(GROUPS[g], sorted(((c, str(_LABELS[c])) for c in actions_in(g)), key=lambda cl: cl[1])) for g in GROUPS]
