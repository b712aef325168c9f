"""The item form and the decisions as people meet them: one error per problem next to its field,
files kept across a failed submission, dates whose messages name no format the widget does not show,
linked items chosen by title, refusal grounds required and in Chinese, and a confirmation page that
states the consequence before refusing, withdrawing or publishing."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core import uploads
from tests.workflow.helpers import draft, entry, to_state
from workflow import services
from workflow.models import DisclosureItem, Step

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def as_user(client, user):
    def switch(username):
        client.force_login(user(username))
        return client

    return switch


def text(response):
    return response.content.decode()


def shown(response):
    """The page as read: tags dropped (attribute values, such as option codes, are not read)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response)))


def errors_of(response, field):
    """The error messages shown next to one field of the item form."""
    page = text(response)
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def new_item(**overrides):
    data = {"catalogue_entry": str(entry("19").pk), "title": "2025年收支预算总表", "body": "<p>见附件。</p>",
            "produced_on": "2025-09-26", "channels": ["portal"]}
    data.update(overrides)
    return data


def item_url(item, suffix=""):
    return f"/workflow/items/{item.pk}/{suffix}"


# --- one error per problem ------------------------------------------------------------------------


def test_each_missing_required_field_gets_one_error_next_to_it(as_user):
    response = as_user("cwc_liaison").post("/workflow/items/new/", new_item(title="", produced_on=""))
    assert response.status_code == 200
    assert errors_of(response, "title") == ["标题为必填项。"]
    assert errors_of(response, "produced_on") == ["请填写信息的生成日期。"]
    assert "该字段是必填项" not in text(response)
    assert not DisclosureItem.objects.exists()


def test_required_fields_are_marked_on_the_form(as_user):
    page = text(as_user("cwc_liaison").get("/workflow/items/new/"))
    for field in ("catalogue_entry", "title", "produced_on"):
        label = re.search(rf'<label for="id_{field}">(.*?)</label>', page, re.S).group(1)
        assert "（必填）" in label, field
    assert "请选择清单事项" in page and "19. " in page  # the entries by number and name


def test_an_edit_that_empties_the_title_and_date_gets_one_error_each(as_user, user):
    item = draft(user)
    response = as_user("cwc_liaison").post(item_url(item, "edit/"), {"title": "", "produced_on": "", "channels": ["portal"]})
    assert errors_of(response, "title") == ["标题为必填项。"]
    assert errors_of(response, "produced_on") == ["请填写信息的生成日期。"]
    item.refresh_from_db()
    assert item.title == "2025年收支预算总表"


# --- dates -----------------------------------------------------------------------------------------


def test_a_date_the_browser_could_not_read_gets_a_message_without_a_format_it_does_not_show(as_user):
    response = as_user("cwc_liaison").post("/workflow/items/new/", new_item(produced_on="2025-13-45"))
    assert errors_of(response, "produced_on") == ["请填写有效的日期（可在日期框中选择）。"]
    assert "YYYY" not in shown(response)
    # Typed without a picker, the way the Chinese locale writes dates, it is understood.
    response = as_user("cwc_liaison").post("/workflow/items/new/", new_item(produced_on="2025/09/26"))
    assert response.status_code == 302
    assert str(DisclosureItem.objects.get().produced_on) == "2025-09-26"


def test_a_publication_time_the_browser_could_not_read_is_one_clear_error(as_user, user):
    item = to_state(user, draft(user), "office_review")
    response = as_user("office").post(item_url(item, "publish/"), {"publish-publish_at": "明天上午"})
    assert response.status_code == 400
    assert "请填写有效的日期和时间（可在输入框中选择）" in shown(response) and "ISO" not in shown(response)
    item.refresh_from_db()
    assert item.state == "office_review"


# --- files kept across errors ----------------------------------------------------------------------


def test_a_file_is_kept_across_a_validation_error_and_saved_with_the_item(as_user, settings):
    client = as_user("cwc_liaison")
    response = client.post("/workflow/items/new/", new_item(title="", attachments=[SimpleUploadedFile("预算.pdf", PDF)]))
    assert response.status_code == 200 and errors_of(response, "title") == ["标题为必填项。"]
    assert "已上传：预算.pdf" in shown(response)
    token = re.search(r'name="held" value="([^"]+)"[^>]*checked', text(response)).group(1)
    assert not DisclosureItem.objects.exists()

    response = client.post("/workflow/items/new/", new_item(held=[token]))  # no file chosen again
    item = DisclosureItem.objects.get()
    assert response.status_code == 302
    attachment = item.attachments.get()
    assert attachment.original_name == "预算.pdf" and attachment.file.read() == PDF
    assert not any((settings.MEDIA_ROOT / "held").iterdir())  # the held copy is gone once saved


def test_a_bad_file_is_named_and_not_kept_while_the_good_one_is(as_user):
    client = as_user("cwc_liaison")
    response = client.post("/workflow/items/new/", new_item(attachments=[
        SimpleUploadedFile("报表.pdf", b"MZ\x90\x00 not a pdf"), SimpleUploadedFile("说明.txt", "说明".encode())]))
    assert response.status_code == 200
    assert [e for e in errors_of(response, "attachments") if e.startswith("报表.pdf：")]
    assert "已上传：说明.txt" in shown(response) and "已上传：报表.pdf" not in shown(response)
    assert not DisclosureItem.objects.exists()


def test_an_unticked_kept_file_is_left_out(as_user):
    client = as_user("cwc_liaison")
    response = client.post("/workflow/items/new/", new_item(title="", attachments=[SimpleUploadedFile("旧.pdf", PDF)]))
    assert "已上传：旧.pdf" in shown(response)
    client.post("/workflow/items/new/", new_item(attachments=[SimpleUploadedFile("新.pdf", PDF + b"%new")]))
    assert list(DisclosureItem.objects.get().attachments.values_list("original_name", flat=True)) == ["新.pdf"]


def test_a_kept_file_belongs_to_its_user_and_a_forged_token_fetches_nothing(as_user, user):
    token = uploads.hold(SimpleUploadedFile("别人的.pdf", PDF), user("dzb_liaison"))
    client = as_user("cwc_liaison")
    response = client.post("/workflow/items/new/", new_item(held=[token, token[:-3] + "abc", "../../secret_key"]))
    assert response.status_code == 302
    assert not DisclosureItem.objects.get().attachments.exists()


def test_files_are_kept_on_the_edit_form_too(as_user, user):
    item = draft(user)
    client = as_user("cwc_liaison")
    response = client.post(item_url(item, "edit/"), {"title": "", "produced_on": "2025-09-26",
                                                    "attachments": [SimpleUploadedFile("补充.pdf", PDF)]})
    token = re.search(r'name="held" value="([^"]+)"', text(response)).group(1)
    assert "已上传：补充.pdf" in shown(response) and not item.attachments.exists()
    client.post(item_url(item, "edit/"), {"title": "新标题", "produced_on": "2025-09-26", "held": [token]})
    assert list(item.attachments.values_list("original_name", flat=True)) == ["补充.pdf"]


# --- linked items by name --------------------------------------------------------------------------


def test_the_policy_interpretation_is_chosen_by_title_among_the_items_the_user_may_see(as_user, user):
    own = draft(user, title="关于收费标准的政策解读")
    hidden = draft(user, title="教务处的解读", code="40", department="jwc")
    client = as_user("cwc_liaison")
    page = text(client.get("/workflow/items/new/"))
    chooser = re.search(r'<select name="interpretation".*?</select>', page, re.S).group(0)
    assert "关于收费标准的政策解读（财务资产处 · 草稿）" in chooser and "教务处的解读" not in chooser
    assert "政策解读事项（编号）" not in page and 'data-search-url="/workflow/items/choose/"' in chooser

    found = client.get("/workflow/items/choose/", {"q": "解读"}).json()["results"]
    assert [r["label"] for r in found] == ["关于收费标准的政策解读（财务资产处 · 草稿）"]
    assert client.get("/workflow/items/choose/", {"q": "教务处"}).json()["results"] == []

    response = client.post("/workflow/items/new/", new_item(is_policy_document="on", interpretation=str(hidden.pk)))
    assert "未知的公开事项" in shown(response) and DisclosureItem.objects.count() == 2
    client.post("/workflow/items/new/", new_item(is_policy_document="on", interpretation=str(own.pk)))
    item = DisclosureItem.objects.get(title="2025年收支预算总表")
    assert item.interpretation == own
    page = text(client.get(item_url(item)))
    assert f'<a href="/workflow/items/{own.pk}/" id="interpretation-link">关于收费标准的政策解读</a>' in page


def test_an_item_found_by_search_stays_chosen_after_an_error(as_user, user, monkeypatch):
    older = draft(user, title="较早的政策解读")
    draft(user, title="较新的事项")
    monkeypatch.setattr("workflow.views.CHOOSER_SIZE", 1)  # the select lists only the newest
    client = as_user("cwc_liaison")
    assert "较早的政策解读" not in text(client.get("/workflow/items/new/"))
    response = client.post("/workflow/items/new/", new_item(title="", interpretation=str(older.pk)))
    assert re.search(rf'<option value="{older.pk}" selected>较早的政策解读', text(response))


def test_the_chooser_search_needs_a_login_and_leaves_out_the_item_itself(client, as_user, user):
    assert client.get("/workflow/items/choose/?q=x").status_code == 302
    item = draft(user, title="本事项的解读")
    found = as_user("cwc_liaison").get("/workflow/items/choose/", {"q": "解读", "exclude": item.pk}).json()
    assert found == {"results": []}


# --- refusal ground --------------------------------------------------------------------------------


def test_the_refusal_ground_comes_first_marked_required_and_named_in_chinese(as_user, user):
    item = to_state(user, draft(user), "confidentiality_review")
    page = text(as_user("cwc_reviewer").get(item_url(item)))
    form = page[page.index('id="form-refuse"'):]
    form = form[:form.index("</form>")]
    assert form.index('name="refuse-ground"') < form.index('name="refuse-comment"')
    assert "不予公开理由（必填）" in form and 'aria-required="true"' in form
    # Chinese labels end in a full-width colon, never an ASCII one.
    labels = re.findall(r"<label[^>]*>(.*?)</label>", form, re.S)
    assert "不予公开理由（必填）：" in labels and not [label for label in labels if label.rstrip().endswith(":")]
    assert [o for o in re.findall(r"<option[^>]*>(.*?)</option>", form)] == [
        "请选择理由", "国家秘密", "商业秘密", "个人隐私", "法律法规和学校规定不予公开", "危及安全稳定"]


# --- confirmations ---------------------------------------------------------------------------------


def confirm_form(response):
    """The hidden fields of the confirmation page's form, as the browser would post them."""
    form = text(response)[text(response).index('id="confirm-form"'):]
    form = form[:form.index("</form>")]
    data = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        if name != "csrfmiddlewaretoken":
            data.setdefault(name, []).append(value.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&"))
    return data


def test_a_refusal_is_confirmed_with_its_consequence_before_anything_happens(as_user, user):
    item = to_state(user, draft(user), "confidentiality_review")
    steps = Step.objects.filter(item=item).count()
    client = as_user("cwc_reviewer")
    response = client.post(item_url(item, "refuse/"), {"refuse-ground": "privacy", "refuse-comment": "涉及个人收入"})
    assert response.status_code == 200
    page = shown(response)
    assert "确认不予公开" in page and "不会出现在信息公开网站上" in page and "此操作不能撤销" in page
    assert "个人隐私" in page and "涉及个人收入" in page and "privacy" not in page
    item.refresh_from_db()
    assert item.state == "confidentiality_review" and Step.objects.filter(item=item).count() == steps

    response = client.post(item_url(item, "refuse/"), confirm_form(response))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == "refused" and item.refusal_ground == "privacy"


def test_a_refusal_without_a_ground_gets_no_confirmation_but_the_error(as_user, user):
    item = to_state(user, draft(user), "confidentiality_review")
    response = as_user("cwc_reviewer").post(item_url(item, "refuse/"), {"refuse-comment": "涉及个人收入"})
    assert response.status_code == 400 and 'id="confirm-form"' not in text(response)
    assert "请选择理由：国家秘密、商业秘密、个人隐私" in shown(response)


def test_a_withdrawal_is_confirmed_with_its_consequence(as_user, user):
    item = to_state(user, draft(user), "published")
    client = as_user("office")
    response = client.post(item_url(item, "withdraw/"), {"withdraw-comment": "数据有误"})
    page = shown(response)
    assert "确认撤回" in page and "从信息公开网站撤下" in page and "撤回后不能再次发布" in page and "数据有误" in page
    item.refresh_from_db()
    assert item.state == "published"
    client.post(item_url(item, "withdraw/"), confirm_form(response))
    item.refresh_from_db()
    assert item.state == "withdrawn" and item.withdrawn_reason == "数据有误"


def test_a_publication_is_confirmed_with_its_time_and_channels(as_user, user):
    item = to_state(user, draft(user), "office_review")
    client = as_user("office")
    when = (timezone.localtime() + datetime.timedelta(days=30)).replace(hour=9, minute=30)
    response = client.post(item_url(item, "publish/"), {"publish-channels": ["wechat"], "publish-publish_at": when.strftime("%Y-%m-%dT%H:%M")})
    page = shown(response)
    assert "确认发布" in page and f"将于 {when:%Y-%m-%d} 09:30 在信息公开网站发布" in page
    assert "门户网站信息公开专栏、官方微信公众号" in page and "只能撤回或更正，不能删除" in page
    item.refresh_from_db()
    assert item.state == "office_review"
    client.post(item_url(item, "publish/"), confirm_form(response))
    item.refresh_from_db()
    assert item.state == "publishing" and item.channels == ["portal", "wechat"]


def test_a_publication_with_no_channel_ticked_confirms_the_disclosure_column_alone(as_user, user):
    item = to_state(user, draft(user), "office_review")  # proposed for 门户网站 and 微信公众号
    client = as_user("office")
    response = client.post(item_url(item, "publish/"), {})
    assert "门户网站信息公开专栏" in shown(response) and "官方微信公众号" not in shown(response)
    client.post(item_url(item, "publish/"), confirm_form(response))
    item.refresh_from_db()
    assert item.channels == ["portal"]


def test_a_stale_confirmation_says_what_happened_and_does_nothing(as_user, user):
    item = to_state(user, draft(user), "office_review")
    client = as_user("office")
    response = client.post(item_url(item, "publish/"), {"publish-channels": ["wechat"]})
    services.return_item(item, actor=user("office"), comment="请补充")  # meanwhile, in another tab
    response = client.post(item_url(item, "publish/"), confirm_form(response), follow=True)
    assert response.status_code == 200
    assert "该事项已有变动：现在是“退回修改”。本次操作未执行" in shown(response)
    item.refresh_from_db()
    assert item.state == "returned"


def test_the_server_checks_permission_again_at_confirmation(as_user, user):
    item = to_state(user, draft(user), "confidentiality_review")
    response = as_user("cwc_reviewer").post(item_url(item, "refuse/"), {"refuse-ground": "privacy", "refuse-comment": "x"})
    data = confirm_form(response)
    assert as_user("cwc_head").post(item_url(item, "refuse/"), data).status_code == 403
    assert as_user("jwc_head").post(item_url(item, "refuse/"), data).status_code == 404
    item.refresh_from_db()
    assert item.state == "confidentiality_review"
