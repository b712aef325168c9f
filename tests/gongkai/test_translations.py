"""One English phrase, two meanings: each reads right in Chinese (pgettext contexts)."""

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
