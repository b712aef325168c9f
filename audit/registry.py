"""What the apps above audit tell it at start-up (from their AppConfig.ready), so that the trail's
pages name everything without audit importing them:

- `object_kind(type, label, names=None)`: an object type's name, and `names(pks)` -> {pk as str:
  (title, url or None)} to name a page's objects of that type in one query;
- `values(key, names)`: `names()` -> {code: name} for a detail of the events' data (department,
  role, channels, fields).
"""

OBJECT_KINDS = {}  # type -> (label, names or None)
_VALUES = {}


def object_kind(object_type, label, names=None):
    OBJECT_KINDS[object_type] = (label, names)


def values(key, names):
    _VALUES[key] = names


def value_names(key):
    """{code: name} for `key` ({} when no app names it)."""
    names = _VALUES.get(key)
    return names() if names else {}
