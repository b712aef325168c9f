from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from audit.services import record
from core.commands import BaseCommand


class Command(BaseCommand):
    help = "Print an API token for USERNAME (last line of stdout), creating one if needed."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"unknown user {username!r}")
        if not user.is_active:
            raise CommandError(f"user {username!r} is inactive")
        with transaction.atomic():
            token, created = Token.objects.get_or_create(user=user)
            if created:
                record("api_token.issue", actor=None, obj=user, data={"username": username})
        self.stdout.write(token.key)
