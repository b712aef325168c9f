"""The audit trail as people read it: names instead of usernames and codes, objects by their titles
with links, details in words. Everything technical (codes, digests, raw data) stays available
under 技术详情 on the same row; nothing here changes what was hashed."""

import json
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import labels

OBJECT_TYPES = {
    "workflow.disclosureitem": _("Disclosure item"),
    "workflow.catalogueentry": _("Catalogue item"),
    "records.record": _("Signed record"),
    "foi.informationrequest": _("Request for information"),
    "foi.complaint": _("Complaint"),
    "foi.evaluation": _("Evaluation"),
    "auth.user": _("User"),
    "policies.department": _("Department"),
    "policies.membership": _("Role"),
    "policies.delegation": _("Delegation"),
    "portal.channel": _("Channel"),
    "audit.log": _("Audit log"),
    "reports.register": _("Register"),
    "reports.annual_report": _("Annual report"),
}

DATA_KEYS = {
    "comment": _("Comment"), "reason": _("Reason"), "ground": _("Ground"), "channels": _("Channels"),
    "publish_at": _("Scheduled for"), "fields": _("Changed fields"), "role": _("Role"), "user": _("User"),
    "number": _("Number"), "kind": _("Kind"), "version": _("Version"), "from": _("From"), "to": _("To"),
    "rows": _("Rows"), "filename": _("File"), "name": _("Name"), "days": _("Working days"),
    "outcome": _("Outcome"), "catalogue_entry": _("Catalogue item"), "department": _("Department"),
}


@dataclass
class Row:
    event: object
    time: object
    action_label: str
    group_label: str
    actor_name: str
    department_name: str
    object_label: str
    object_url: str | None
    details: list = field(default_factory=list)  # [(label, text)]
    technical: list = field(default_factory=list)  # [(label, text)]


class Names:
    """Looks up every name a page of events needs with one query per kind."""

    def __init__(self, events):
        from policies.models import Department

        users = {e.actor_id for e in events if e.actor_id}
        usernames = set()
        self.docs = {}
        for event in events:
            doc = json.loads(event.canonical) if event.canonical else {}
            self.docs[event.seq] = doc
            data = doc.get("data") or {}
            if isinstance(data.get("user"), str):
                usernames.add(data["user"])
            if isinstance(data.get("on_behalf_of"), str):  # 代理: the people a deputy acted for
                usernames.update(name for name in data["on_behalf_of"].split(",") if name)
        by_type = {}
        for event in events:
            if event.object_type and event.object_id:
                by_type.setdefault(event.object_type, set()).add(event.object_id)
        self.users = {u.pk: u for u in get_user_model().objects.filter(pk__in=users | _ints(by_type.get("auth.user", ())))}
        self.by_username = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
        self.departments = {d.code: d.name for d in Department.objects.all()}
        self.departments_by_id = {str(d.pk): d.name for d in Department.objects.all()}
        self.objects = {}
        self._load_objects(by_type)
        from core.grounds import RefusalGround

        self.grounds = dict(RefusalGround.choices)
        self.roles = _role_labels()
        self.channels = _channel_names()

    def _load_objects(self, by_type):
        from workflow.models import CatalogueEntry, DisclosureItem

        for item in DisclosureItem.objects.filter(pk__in=_ints(by_type.get("workflow.disclosureitem", ()))).only("pk", "title"):
            self.objects[("workflow.disclosureitem", str(item.pk))] = (item.title, reverse("workflow:item", args=[item.pk]))
        for entry in CatalogueEntry.objects.filter(pk__in=_ints(by_type.get("workflow.catalogueentry", ()))):
            self.objects[("workflow.catalogueentry", str(entry.pk))] = (f"{entry.code}. {entry.title}", None)
        try:
            from records.models import Record

            for record in Record.objects.filter(pk__in=_ints(by_type.get("records.record", ()))).only("pk", "number", "title", "item_id"):
                self.objects[("records.record", str(record.pk))] = (f"{record.number} {record.title}", reverse("workflow:item", args=[record.item_id]))
        except Exception:  # records are optional for the trail: show the type and number instead
            pass
        try:
            from foi.models import InformationRequest

            for request in InformationRequest.objects.filter(pk__in=_ints(by_type.get("foi.informationrequest", ()))).only("pk", "number"):
                self.objects[("foi.informationrequest", str(request.pk))] = (request.number, reverse("foi:detail", args=[request.pk]))
        except Exception:
            pass
        for pk, user in self.users.items():
            self.objects[("auth.user", str(pk))] = (person(user), None)
        for pk, name in self.departments_by_id.items():
            self.objects[("policies.department", pk)] = (name, None)

    def actor(self, event):
        """The person who acted; a deputy as "X（代 Y）" (their event names whom they acted for)."""
        user = self.users.get(event.actor_id)
        if user is None:
            return str(_("System")) if not event.actor_username or event.actor_username == "system" else event.actor_username
        on_behalf = (self.docs.get(event.seq, {}).get("data") or {}).get("on_behalf_of")
        if isinstance(on_behalf, str) and on_behalf:
            principals = "、".join(person(self.by_username.get(name)) or name for name in on_behalf.split(",") if name)
            return str(_("%(actor)s (deputy for %(principal)s)")) % {"actor": person(user), "principal": principals}
        return person(user)

    def object(self, event):
        if not event.object_type:
            return "", None
        found = self.objects.get((event.object_type, event.object_id))
        kind = OBJECT_TYPES.get(event.object_type, _("Object"))
        if found:
            return f"{kind}：{found[0]}", found[1]
        return str(kind), None

    def details(self, event, doc):
        data = doc.get("data") or {}
        shown, technical = [], []
        for key, value in sorted(data.items()):
            text = self._value(key, value)
            if key in DATA_KEYS and text is not None:
                shown.append((DATA_KEYS[key], text))
            else:
                technical.append((key, json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value))
        return shown, technical

    def _value(self, key, value):
        if value in ("", None, [], {}):
            return None
        if key == "ground":
            return str(self.grounds.get(value, value))
        if key == "channels":
            codes = value.split(",") if isinstance(value, str) else list(value)
            return "、".join(str(self.channels.get(c, c)) for c in codes if c)
        if key == "fields":
            return "、".join(_field_label(name) for name in (value if isinstance(value, list) else str(value).split(",")))
        if key == "role":
            return str(self.roles.get(value, value))
        if key == "user":
            user = self.by_username.get(value)
            return person(user) if user else str(value)
        if key == "department":
            return self.departments.get(value, str(value))
        if key == "catalogue_entry":
            return None  # the object itself already names it
        if isinstance(value, (dict, list)):
            return None
        return str(value)


def _ints(values):
    return {int(v) for v in values if str(v).isdigit()}


def person(user):
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _role_labels():
    from policies.models import Role

    return dict(Role.choices)


def _channel_names():
    try:
        from portal.models import Channel

        return dict(Channel.objects.values_list("code", "name"))
    except Exception:
        return {}


def _field_label(name):
    from workflow.models import DisclosureItem

    name = name.strip()
    try:
        return str(DisclosureItem._meta.get_field(name).verbose_name)
    except Exception:
        return {"attachments": str(_("attachments"))}.get(name, name)


def rows(events):
    events = list(events)
    names = Names(events)
    result = []
    for event in events:
        doc = names.docs[event.seq]
        object_label, object_url = names.object(event)
        details, technical = names.details(event, doc)
        technical = [
            (_("Action code"), event.action),
            (_("Object"), f"{event.object_type} {event.object_id}".strip()),
            *([(_("State before"), doc["before"])] if doc.get("before") else []),
            *([(_("State after"), doc["after"])] if doc.get("after") else []),
            *[(key, value) for key, value in technical],
            *[(key, str(value)) for key, value in sorted((doc.get("context") or {}).items()) if value],
            (_("Leaf hash"), event.leaf_hash),
        ]
        result.append(Row(
            event=event, time=timezone.localtime(event.recorded_at), action_label=labels.label(event.action),
            group_label=labels.GROUPS[labels.group_of(event.action)], actor_name=names.actor(event),
            department_name=names.departments.get(event.department, event.department), object_label=object_label,
            object_url=object_url, details=details, technical=technical,
        ))
    return result
