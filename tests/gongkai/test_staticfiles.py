"""The production static files storage (gongkai.staticfiles): collectstatic hashes what exists and
does not fail on a stylesheet that names a file its package does not ship (viewflow's fonts)."""

import json

from django.core.management import call_command


def test_collectstatic_survives_a_reference_to_a_missing_file(settings, tmp_path):
    source, target = tmp_path / "static", tmp_path / "collected"
    (source / "pkg").mkdir(parents=True)
    (source / "pkg" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (source / "pkg" / "site.css").write_text(
        "a { background: url('logo.png'); }\n@font-face { src: url('missing-font.woff2'); }\n"
    )
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = target
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "gongkai.staticfiles.StaticFilesStorage"}}

    call_command("collectstatic", "--noinput", verbosity=0)

    paths = json.loads((target / "staticfiles.json").read_text())["paths"]
    css = (target / paths["pkg/site.css"]).read_text()
    assert f'url("{paths["pkg/logo.png"].split("/")[-1]}")' in css  # an existing file: its hashed name
    assert 'url("missing-font.woff2")' in css  # a missing one: as written


def test_viewflow_own_ui_is_not_collected(settings, tmp_path, capsys):
    settings.STATIC_ROOT = tmp_path / "collected"
    call_command("collectstatic", "--noinput", "--dry-run", verbosity=2)
    listed = capsys.readouterr().out
    assert "Pretending to copy" in listed and "admin/css/base.css" in listed
    assert "viewflow/" not in listed


def test_a_file_left_out_gets_its_plain_url_instead_of_an_error(settings, tmp_path):
    from gongkai.staticfiles import StaticFilesStorage

    settings.STATIC_URL = "/static/"
    assert StaticFilesStorage(location=tmp_path).url("viewflow/css/viewflow.min.css") == "/static/viewflow/css/viewflow.min.css"
