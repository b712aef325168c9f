from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction

from core.commands import BaseCommand
from policies import services
from policies.models import Department, Role
from workflow.catalogue import seed_catalogue

DEFAULT_PASSWORD = "gongkai-demo"

DEPARTMENTS = [
    ("dzb", "党政办公室", Department.Kind.FUNCTIONAL, True),
    ("cwc", "财务资产处", Department.Kind.FUNCTIONAL, False),
    ("rsc", "组织人事部", Department.Kind.FUNCTIONAL, False),
    ("xsc", "学生工作处", Department.Kind.FUNCTIONAL, False),
    ("zsb", "招生就业处", Department.Kind.FUNCTIONAL, False),
    ("jwc", "教学指导与评价处", Department.Kind.FUNCTIONAL, False),
    ("kyc", "产业技术研究院", Department.Kind.FUNCTIONAL, False),
    ("jdxy", "机电工程学院", Department.Kind.COLLEGE, False),
]

# School-wide people, all homed in 党政办公室.
SCHOOL_USERS = [
    ("office", "信息公开办公室", Role.OFFICE),
    ("leader", "领导小组", Role.LEADER),
    ("auditor", "审计员", Role.AUDITOR),
    ("secrecy", "保密办审查员", Role.SECRECY),
]

DEPARTMENT_USERS = [
    ("liaison", "联络员", Role.LIAISON),
    ("head", "负责人", Role.HEAD),
    ("reviewer", "保密审查员", Role.REVIEWER),
]


def demo_usernames():
    names = [username for username, _, _ in SCHOOL_USERS]
    for code, *_ in DEPARTMENTS:
        names += [f"{code}_{suffix}" for suffix, _, _ in DEPARTMENT_USERS]
    return names


class Command(BaseCommand):
    help = "Create the demo school: departments, users with their roles, and the catalogue (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=f"password for demo users created now, or reset for all with this option (default {DEFAULT_PASSWORD})",
        )

    def handle(self, *args, password=None, **options):
        if password is not None and len(password) < 8:
            raise CommandError("--password must be at least 8 characters")
        with transaction.atomic():
            departments = {code: self._department(code, name, kind, hosts) for code, name, kind, hosts in DEPARTMENTS}
            created = 0
            for username, full_name, role in SCHOOL_USERS:
                created += self._user(username, full_name, departments["dzb"], role, password)
            for code, department in departments.items():
                for suffix, title, role in DEPARTMENT_USERS:
                    created += self._user(f"{code}_{suffix}", f"{department.name}{title}", department, role, password)
            self._seed_more(departments)
        self.stdout.write(f"demo school ready: {len(departments)} departments, {created} users created")

    def _seed_more(self, departments):
        """Other apps' demo data (the catalogue) is added here."""
        seed_catalogue()

    def _department(self, code, name, kind, hosts_office):
        department = Department.objects.filter(code=code).first()
        if department is None:
            department = Department(code=code, name=name, kind=kind, hosts_office=hosts_office)
            services.save_department(department, actor=None, changed_fields=["code", "name", "kind", "hosts_office"])
        return department

    def _user(self, username, full_name, department, role, password):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name})
        if created or password is not None:
            user.set_password(password or DEFAULT_PASSWORD)
            user.save(update_fields=["password"])
        services.add_membership(user, department, role, actor=None)
        return int(created)
