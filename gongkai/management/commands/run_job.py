import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Run one background job here, in this process, and wait for it: how ./bin/serve runs a long "
            "job without a broker (core.jobs). Example: run_job audit.build_export '[42]'")

    def add_arguments(self, parser):
        parser.add_argument("job", help="the job's name, e.g. audit.build_export")
        parser.add_argument("arguments", nargs="?", default="[]", help="its arguments as a JSON list")

    def handle(self, *args, job, arguments, **options):
        from gongkai.celery import app

        app.loader.import_default_modules()  # registers the apps' jobs (autodiscovery is lazy)
        if job not in app.tasks or job.startswith("celery."):
            known = ", ".join(sorted(name for name in app.tasks if not name.startswith("celery.")))
            raise CommandError(f"No job named {job!r}. Known jobs: {known}")
        try:
            values = json.loads(arguments)
        except ValueError as error:
            raise CommandError(f"The arguments must be a JSON list, e.g. '[42]': {error}") from None
        if not isinstance(values, list):
            raise CommandError("The arguments must be a JSON list, e.g. '[42]'")
        result = app.tasks[job].apply(args=values)  # eager: in this process; a failure is raised here
        self.stdout.write(f"{job}: {result.result}")
