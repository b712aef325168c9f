"""The one place that answers "may this user …?" and "who may …?" for every app.

Answers come from Django and guardian permissions (`policies.<codename>`), which policies.services
derives from memberships: school-wide roles through groups, department roles through object
permissions on the Department (for the user or one of their groups). A user's permissions are read
in one query the first time they are asked and kept on the user object, i.e. for one request
(policies.services clears them when it changes that user's grants).

- can(user, codename, department=None): holds it school-wide, or for that department;
- is_office(user): the disclosure office (publishes, administers);
- departments_where(user, codename): the departments where they hold it;
- users_with(codename, department): the active people who hold it there.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q
from guardian.models import GroupObjectPermission, UserObjectPermission

from policies.models import Department

_CACHE = "_policies_permissions"


def roles_of(user):
    """The user's active memberships, for display."""
    if not user.is_authenticated:
        return []
    return list(user.memberships.active().select_related("department"))


def permissions_of(user):
    """(school-wide codenames, {department pk as str: codenames}) of the `policies` permissions,
    in one query: the same answer as Django's ModelBackend plus guardian's object permissions on a
    Department for the user and their groups, which would take four."""
    cached = user.__dict__.get(_CACHE)
    if cached is not None:
        return cached
    department_type = ContentType.objects.get_for_model(Department).pk
    user_model = get_user_model()
    tables = {
        "perm": Permission._meta.db_table,
        "ct": ContentType._meta.db_table,
        "user_perms": user_model.user_permissions.through._meta.db_table,
        "user_groups": user_model.groups.through._meta.db_table,
        "group_perms": Group.permissions.through._meta.db_table,
        "uop": UserObjectPermission._meta.db_table,
        "gop": GroupObjectPermission._meta.db_table,
    }
    sql = (
        # school-wide: the user's own permissions and their groups' (as ModelBackend)
        "SELECT p.codename, NULL FROM {user_perms} up JOIN {perm} p ON p.id = up.permission_id "
        "JOIN {ct} ct ON ct.id = p.content_type_id WHERE up.user_id = %s AND ct.app_label = 'policies' "
        "UNION ALL SELECT p.codename, NULL FROM {user_groups} ug JOIN {group_perms} gp ON gp.group_id = ug.group_id "
        "JOIN {perm} p ON p.id = gp.permission_id JOIN {ct} ct ON ct.id = p.content_type_id "
        "WHERE ug.user_id = %s AND ct.app_label = 'policies' "
        # per department: the user's and their groups' object permissions (as guardian)
        "UNION ALL SELECT p.codename, uop.object_pk FROM {uop} uop JOIN {perm} p ON p.id = uop.permission_id "
        "WHERE uop.user_id = %s AND uop.content_type_id = %s AND p.content_type_id = %s "
        "UNION ALL SELECT p.codename, gop.object_pk FROM {user_groups} ug JOIN {gop} gop ON gop.group_id = ug.group_id "
        "JOIN {perm} p ON p.id = gop.permission_id "
        "WHERE ug.user_id = %s AND gop.content_type_id = %s AND p.content_type_id = %s"
    ).format(**tables)
    school_wide, per_department = set(), {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk, user.pk, department_type, department_type,
                             user.pk, department_type, department_type])
        for codename, object_pk in cursor.fetchall():
            if object_pk is None:
                school_wide.add(codename)
            else:
                per_department.setdefault(str(object_pk), set()).add(codename)
    cached = user.__dict__[_CACHE] = (school_wide, per_department)
    return cached


def forget(user):
    """Drop the cached permissions of this user object (after its grants changed)."""
    user.__dict__.pop(_CACHE, None)
    user.__dict__.pop("_perm_cache", None)
    user.__dict__.pop("_user_perm_cache", None)
    user.__dict__.pop("_group_perm_cache", None)


def _active(user):
    return bool(user is not None and user.is_authenticated and user.is_active)


def can(user, codename, department=None):
    """True if the user holds `policies.<codename>` school-wide, or for `department` when given."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    school_wide, per_department = permissions_of(user)
    if codename in school_wide:
        return True
    return department is not None and codename in per_department.get(str(department.pk), ())


def can_any(user, *codenames):
    """True if the user holds any of these school-wide."""
    return any(can(user, codename) for codename in codenames)


def is_office(user):
    """The disclosure office: final approval, publication and administration, school-wide."""
    return can(user, "publish_items")


def departments_where(user, codename):
    """Departments for which the user holds `policies.<codename>` (all of them if school-wide)."""
    if not _active(user):
        return Department.objects.none()
    if user.is_superuser:
        return Department.objects.all()
    school_wide, per_department = permissions_of(user)
    if codename in school_wide:
        return Department.objects.all()
    return Department.objects.filter(pk__in=[int(pk) for pk, names in per_department.items() if codename in names])


def users_with(codename, department=None):
    """Active users holding `policies.<codename>` school-wide or (when given) for this department,
    directly or through one of their groups."""
    condition = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label="policies") | Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label="policies"
    )
    if department is not None:
        department_type = ContentType.objects.get_for_model(Department)
        on_department = {"content_type": department_type, "object_pk": str(department.pk),
                         "permission__codename": codename}
        condition |= Q(pk__in=UserObjectPermission.objects.filter(**on_department).values("user_id"))
        condition |= Q(groups__in=GroupObjectPermission.objects.filter(**on_department).values("group_id"))
    return get_user_model().objects.filter(is_active=True).filter(condition).distinct()


def holders(codenames):
    """Who holds each of `codenames`, for the periodic scan, in one query: {(codename, None):
    user ids school-wide, (codename, department pk): user ids for that department}, active users
    only, directly or through a group (as users_with, for every department at once)."""
    department_type = ContentType.objects.get_for_model(Department).pk
    user_model = get_user_model()
    tables = {
        "perm": Permission._meta.db_table,
        "ct": ContentType._meta.db_table,
        "user": user_model._meta.db_table,
        "user_perms": user_model.user_permissions.through._meta.db_table,
        "user_groups": user_model.groups.through._meta.db_table,
        "group_perms": Group.permissions.through._meta.db_table,
        "uop": UserObjectPermission._meta.db_table,
        "gop": GroupObjectPermission._meta.db_table,
    }
    names = ", ".join(["%s"] * len(codenames))
    sql = (
        "SELECT up.user_id, p.codename, NULL FROM {user_perms} up JOIN {perm} p ON p.id = up.permission_id "
        "JOIN {ct} ct ON ct.id = p.content_type_id WHERE ct.app_label = 'policies' AND p.codename IN ({names}) "
        "UNION SELECT ug.user_id, p.codename, NULL FROM {user_groups} ug JOIN {group_perms} gp ON gp.group_id = ug.group_id "
        "JOIN {perm} p ON p.id = gp.permission_id JOIN {ct} ct ON ct.id = p.content_type_id "
        "WHERE ct.app_label = 'policies' AND p.codename IN ({names}) "
        "UNION SELECT uop.user_id, p.codename, uop.object_pk FROM {uop} uop JOIN {perm} p ON p.id = uop.permission_id "
        "WHERE uop.content_type_id = %s AND p.content_type_id = %s AND p.codename IN ({names}) "
        "UNION SELECT ug.user_id, p.codename, gop.object_pk FROM {user_groups} ug JOIN {gop} gop ON gop.group_id = ug.group_id "
        "JOIN {perm} p ON p.id = gop.permission_id WHERE gop.content_type_id = %s AND p.content_type_id = %s "
        "AND p.codename IN ({names})"
    ).format(names=names, **tables)
    sql = f"SELECT h.* FROM ({sql}) h JOIN {tables['user']} u ON u.id = h.user_id WHERE u.is_active"
    codenames = list(codenames)
    params = codenames * 2 + [department_type, department_type] + codenames + [department_type, department_type] + codenames
    result = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for user_id, codename, department in cursor.fetchall():
            key = (codename, int(department) if department is not None else None)
            result.setdefault(key, set()).add(user_id)
    return result
