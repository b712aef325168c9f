"""One English phrase, two meanings: each reads right in Chinese (pgettext contexts)."""

import gettext
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from foi.models import InformationRequest
from workflow.models import DisclosureItem


def test_document_number_is_an_issued_documents_number_on_items_and_an_identity_number_on_requests():
    with translation.override("zh-hans"):
        assert str(DisclosureItem._meta.get_field("document_number").verbose_name) == "文号"
        assert str(InformationRequest._meta.get_field("id_number").verbose_name) == "证件号码"
        page = Template('{% load i18n %}{% translate "Document number" context "issued document" %}')
        assert page.render(Context()) == "文号"


def test_no_phrase_is_translated_two_ways_by_two_apps():
    # Django merges every app's catalogue into one, and the first app's translation wins on every
    # page: a phrase two apps translate differently reads wrong on one of them (a report period's
    # "to" once read 收件人, from the outgoing e-mails). Same phrase, two meanings: use a context.
    seen, clashes = {}, []
    for app, key, text in our_apps_translations():
        first = seen.setdefault(key, (app.label, text))
        if first[1] != text:
            clashes.append(f"{key!r}: {first[0]} {first[1]!r} / {app.label} {text!r}")
    assert not clashes, "\n".join(clashes)


def our_apps_translations():
    """(app, msgid key, translation) of every phrase the project's own apps translate to zh-hans."""
    root = Path(settings.BASE_DIR).resolve()
    for app in apps.get_app_configs():
        catalogue = Path(app.path).resolve() / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
        if root not in catalogue.parents or ".venv" in catalogue.parts or not catalogue.exists():
            continue
        with catalogue.open("rb") as mo:
            for key, text in gettext.GNUTranslations(mo)._catalog.items():
                if key != "" and text:
                    yield app, key, text


def test_pages_read_our_translation_not_a_librarys():
    # An app listed before ours (django.contrib.admin first, then DRF, guardian, axes …) wins over
    # our apps' catalogues: the office's delegation filter read 过滤器 (the admin's "Filter")
    # where ours says 筛选. The project's LOCALE_PATHS catalogue wins over every app, so a phrase a
    # library also translates is repeated there; what it says itself is the project's choice.
    project = set()
    for path in settings.LOCALE_PATHS:
        catalogue = Path(path) / "zh_Hans" / "LC_MESSAGES" / "django.mo"
        if catalogue.exists():
            with catalogue.open("rb") as mo:
                project |= set(gettext.GNUTranslations(mo)._catalog)
    shadowed = []
    with translation.override("zh-hans"):
        for app, key, text in our_apps_translations():
            if not isinstance(key, str) or key in project:  # plural forms' keys are tuples
                continue
            context, _, msgid = key.rpartition("\x04")
            shown = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            if shown != text:
                shadowed.append(f"{app.label} {msgid!r}: ours {text!r}, pages show {shown!r}")
        assert Template('{% load i18n %}{% translate "Filter" %}').render(Context()) == "筛选"
    assert not shadowed, "\n".join(shadowed)
