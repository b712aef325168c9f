"""The input policy itself (core.inputs): what text is refused, what is normalised, and that every
form and admin of the project is held to it."""

import unicodedata

import pytest
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from core import inputs


@pytest.mark.parametrize(
    "text, code",
    [
        ("标题\x00", "nul"),
        ("标题\ud800", "surrogate"),
        ("标题\x07", "control"),
        ("标题\x1b[31m", "control"),
        ("标题\x85", "control"),
        ("标题\x7f", "control"),
        ("标题\ufffd", "replacement"),
        ("\u202e文件名gpj.exe", "bidi"),
        ("a\u2067b", "bidi"),
        ("第一行\n第二行", "line"),
        ("一\t二", "line"),
    ],
)
def test_single_line_text_refuses(text, code):
    with pytest.raises(ValidationError) as caught:
        inputs.clean_text(text)
    assert caught.value.code == code
    assert caught.value.messages[0]


def test_multi_line_text_keeps_tabs_and_line_breaks_but_not_controls():
    assert inputs.clean_text("第一行\r\n\t第二行", multiline=True) == "第一行\r\n\t第二行"
    with pytest.raises(ValidationError):
        inputs.clean_text("第一行\x00", multiline=True)


def test_text_is_nfc_normalised_and_ext_b_characters_pass():
    decomposed = "Cafe\u0301 𠀀𪚥 \U0002b740"
    cleaned = inputs.clean_text(decomposed)
    assert cleaned == unicodedata.normalize("NFC", decomposed) and "\u00e9" in cleaned
    assert "𠀀𪚥" in cleaned


def test_limits_in_characters_and_bytes():
    assert inputs.clean_text("字" * 10, max_length=10)
    with pytest.raises(ValidationError) as caught:
        inputs.clean_text("字" * 11, max_length=10)
    assert caught.value.code == "length"
    with pytest.raises(ValidationError) as caught:
        inputs.clean_text("字" * 4, max_bytes=10)
    assert caught.value.code == "bytes"


def test_non_text_is_refused_and_none_is_empty():
    assert inputs.clean_text(None) == ""
    for value in (5, ["a"], {"a": 1}, True):
        with pytest.raises(ValidationError):
            inputs.clean_text(value)


@pytest.mark.parametrize("value, expected", [
    ("12", 12), (12, 12), (" 7 ", 7), ("0", None), ("-1", None), ("²", None), ("١٢", None), (True, None),
    ("99999999999999999999", None), (2**64, None), ("1e3", None), (None, None), ([1], None), ("", None),
])
def test_as_id_never_raises(value, expected):
    assert inputs.as_id(value) == expected


class _Form(inputs.InputPolicyForm, forms.Form):
    title = forms.CharField()
    notes = forms.CharField(widget=forms.Textarea, required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)


def test_a_policy_form_names_the_field_and_normalises():
    form = _Form({"title": "Cafe\u0301", "notes": "一\n二", "secret": "p\x07w"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Caf\u00e9"
    form = _Form({"title": "坏\x1b标题", "notes": "一\x00二"})
    assert not form.is_valid()
    assert set(form.errors) == {"title", "notes"}
    form = _Form({"title": "两\n行"})
    assert "title" in form.errors


def test_the_chinese_message_names_what_is_wrong():
    from django.utils import translation

    with translation.override("zh-hans"):
        form = _Form({"title": "坏\x07标题"})
        assert not form.is_valid()
        message = form.errors["title"][0]
    assert "控制字符" in message and "U+0007" in message


def _project_modules():
    return ("audit", "policies", "workflow", "records", "portal", "reports", "foi", "gongkai", "core")


def test_every_form_of_the_project_is_under_the_policy():
    import importlib
    import pkgutil

    for app in _project_modules():
        package = importlib.import_module(app)
        for module_info in pkgutil.walk_packages(package.__path__, app + "."):
            if any(part in module_info.name for part in (".migrations", ".management", "standalone", "settings_", "wsgi", "asgi")):
                continue
            importlib.import_module(module_info.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in subclasses(forms.BaseForm) if c.__module__.split(".")[0] in _project_modules()]
    assert len(ours) > 10
    outside = [f"{c.__module__}.{c.__name__}" for c in ours
               if not issubclass(c, inputs.InputPolicyForm) and any(
                   isinstance(f, forms.CharField) for f in getattr(c, "base_fields", {}).values())]
    assert outside == []


def test_every_admin_form_with_text_is_under_the_policy():
    third_party = {"authtoken", "viewflow", "axes"}
    unchecked = [
        str(model) for model, model_admin in admin.site._registry.items()
        if model._meta.app_label not in third_party and not issubclass(model_admin.form, inputs.InputPolicyForm)
    ]
    assert unchecked == []
