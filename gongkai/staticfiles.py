"""Static files: what `collectstatic` gathers, and how production stores it.

viewflow ships its own Material UI (146 MB once hashed and compressed: most of the container build's
time and a sixth of the image), which Gongkai does not use — its pages are our own templates, and
viewflow's stylesheets even name font files the package lacks, which fails Django's manifest storage
as a whole. So the apps' static files are found without viewflow's, and the production storage
tolerates a missing file: a stylesheet's reference to it stays as written, and `{% static %}` of a
file not collected gives its plain URL (a 404 for that file) instead of an error page."""

from django.contrib.staticfiles import finders
from whitenoise.storage import CompressedManifestStaticFilesStorage

LEFT_OUT = "viewflow/"


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """Django's finder of the apps' static files, without viewflow's own UI."""

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), f"{LEFT_OUT}*"])

    def find(self, path, *args, **kwargs):
        return [] if path.startswith(LEFT_OUT) else super().find(path, *args, **kwargs)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            if content is not None:
                raise
            return name  # a file that was not collected: its plain name
