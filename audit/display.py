"""The audit trail as people read it: names instead of usernames and codes, objects by their titles
with links, details in words. Everything technical (codes, digests, raw data) stays available
under 技术详情 on the same row; nothing here changes what was hashed."""

import json
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import labels, registry
from core.grounds import RefusalGround

# The trail's own kinds; the apps above register theirs (audit.registry.object_kind).
OBJECT_TYPES = {
    "auth.user": _("User"),
    "audit.log": _("Audit log"),
    "audit.auditexport": _("Audit log export bundle"),
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
        self.departments = registry.value_names("department")
        self.objects = {}
        self._load_objects(by_type)
        self.grounds = dict(RefusalGround.choices)
        self._values = {}

    def _load_objects(self, by_type):
        for object_type, pks in by_type.items():
            _label, names = registry.OBJECT_KINDS.get(object_type, (None, None))
            if names is not None and _ints(pks):
                for pk, found in names(_ints(pks)).items():
                    self.objects[(object_type, str(pk))] = found
        for pk, user in self.users.items():
            self.objects[("auth.user", str(pk))] = (person(user), None)

    def values(self, key):
        if key not in self._values:
            self._values[key] = registry.value_names(key)
        return self._values[key]

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
        kind = object_kind_label(event.object_type)
        if found:
            return f"{kind}：{found[0]}", found[1]
        return str(kind), None

    def details(self, event, doc):
        data = doc.get("data") or {}
        shown, technical = [], []
        for key, value in sorted(data.items()):
            names = self.values(f"{event.action}:{key}")  # an app may name one action's codes
            text = str(names.get(value, value)) if names and isinstance(value, str) else self._value(key, value)
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
            return "、".join(str(self.values("channels").get(c, c)) for c in codes if c)
        if key == "fields":
            labels = self.values("fields")
            names = (name.strip() for name in (value if isinstance(value, list) else str(value).split(",")))
            return "、".join(str(labels.get(name, name)) for name in names)
        if key == "role":
            return str(self.values("role").get(value, value))
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


def object_kind_label(object_type):
    if object_type in OBJECT_TYPES:
        return OBJECT_TYPES[object_type]
    return registry.OBJECT_KINDS.get(object_type, (_("Object"), None))[0]


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
