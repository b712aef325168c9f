"""The workflow pages through Django's test client: who sees what (404), who may act (403), form
errors from the services, state conflicts as messages, Chinese by default."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from policies.models import Department, Role
from policies.services import add_membership
from tests.workflow.helpers import draft, entry, to_state
from workflow import services
from workflow.models import Attachment, CalendarDay, DisclosureItem, Notification

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def as_user(client, user):
    def switch(username):
        client.force_login(user(username))
        return client

    return switch


def text(response):
    return response.content.decode()


def item_url(item, suffix=""):
    return f"/workflow/items/{item.pk}/{suffix}"


def confirmed(item, data):
    """A decision's form as its confirmation page sends it (refuse, withdraw, publish)."""
    return {**data, "confirmed": "1", "confirmed_state": item.state, "confirmed_version": str(item.version)}


# --- language -------------------------------------------------------------------------------------


def test_the_pages_are_chinese_by_default_and_english_on_request(as_user, user):
    item = draft(user)
    client = as_user("cwc_liaison")
    inbox = text(client.get("/workflow/"))
    assert "待我办理" in inbox and "新建事项" in inbox and "草稿" in inbox
    page = text(client.get(item_url(item)))
    assert "办理记录" in page and "提交部门负责人审核" in page and "生成日期" in page
    assert "待我办理" in text(client.get("/home/"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/workflow/"})
    english = text(client.get("/workflow/"))
    assert "Waiting for me" in english and "Draft" in english


# --- visibility and permission --------------------------------------------------------------------


def test_another_departments_head_gets_404_everywhere_for_the_item(as_user, user):
    item = to_state(user, draft(user), "head_review")
    attachment = Attachment.objects.create(item=item, original_name="a.pdf", content_type="application/pdf",
                                           size=1, sha256="0" * 64, uploaded_by=user("cwc_liaison"))
    client = as_user("jwc_head")
    for url in ["", "edit/", "diff/", f"attachments/{attachment.pk}/"]:
        assert client.get(item_url(item, url)).status_code == 404, url
    assert client.post(item_url(item, "approve/"), {"approve-comment": ""}).status_code == 404
    assert "2025年收支预算总表" not in text(client.get("/workflow/items/"))
    assert client.get("/workflow/items/999999/").status_code == 404
    item.refresh_from_db()
    assert item.state == "head_review"


def test_someone_who_sees_the_item_but_holds_no_role_for_the_action_gets_403(as_user, user):
    item = to_state(user, draft(user), "head_review")
    for username, action in [("cwc_reviewer", "approve"), ("auditor", "approve"), ("cwc_liaison", "approve"),
                             ("cwc_head", "publish")]:
        response = as_user(username).post(item_url(item, f"{action}/"), {f"{action}-comment": "x"})
        assert response.status_code == 403, (username, action)
    assert as_user("cwc_head").get(item_url(item, "edit/")).status_code == 403
    assert as_user("cwc_head").get("/workflow/items/new/").status_code == 403
    item.refresh_from_db()
    assert item.state == "head_review"


def test_the_drafter_may_not_review_even_with_the_role(as_user, user):
    """Separation of duties shows as a 403 from the page, decided by the service."""
    from policies.models import Department, Role
    from policies.services import add_membership

    add_membership(user("cwc_liaison"), Department.objects.get(code="cwc"), Role.HEAD, actor=user("office"))
    item = to_state(user, draft(user), "head_review")
    client = as_user("cwc_liaison")
    page = text(client.get(item_url(item)))
    assert 'id="form-approve"' not in page
    assert client.post(item_url(item, "approve/"), {"approve-comment": ""}).status_code == 403


# --- what each role is offered --------------------------------------------------------------------


@pytest.mark.parametrize(
    "state, username, offered, not_offered",
    [
        ("draft", "cwc_liaison", ["edit-link", "form-submit"], ["form-approve"]),
        ("head_review", "cwc_head", ["form-approve", "form-return"], ["form-clear", "edit-link"]),
        ("head_review", "cwc_liaison", [], ["form-submit", "form-approve", "edit-link"]),
        ("confidentiality_review", "cwc_reviewer", ["form-clear", "form-redact", "form-refuse"], ["form-approve"]),
        ("office_review", "office", ["form-publish", "form-return", "form-refuse"], ["form-clear"]),
        ("published", "office", ["form-withdraw", "form-correct"], ["form-publish"]),
        ("published", "auditor", [], ["form-withdraw", "form-correct", "actions"]),
    ],
)
def test_the_item_page_offers_exactly_the_actions_the_user_may_take_now(
    as_user, user, state, username, offered, not_offered
):
    item = to_state(user, draft(user), state)
    page = text(as_user(username).get(item_url(item)))
    for element in offered:
        assert f'id="{element}"' in page, element
    for element in not_offered:
        assert f'id="{element}"' not in page, element


# --- drafting -------------------------------------------------------------------------------------


def _new_item_data(**overrides):
    data = {
        "catalogue_entry": str(entry("19").pk),
        "title": "2025年收支预算总表",
        "body": "<p>预算总表见附件。</p>",
        "produced_on": "2025-09-26",
        "channels": ["portal", "weibo"],
    }
    data.update(overrides)
    return data


def test_a_liaison_creates_an_item_with_files_and_sees_its_due_date(as_user, user):
    client = as_user("cwc_liaison")
    page = text(client.get("/workflow/items/new/"))
    assert "19." in page and entry("40").title not in page  # only their department's entries
    data = _new_item_data(attachments=[SimpleUploadedFile("预算.pdf", PDF), SimpleUploadedFile("说明.txt", "说明".encode())])
    response = client.post("/workflow/items/new/", data)
    item = DisclosureItem.objects.get()
    assert response.status_code == 302 and response["Location"] == item_url(item)
    assert item.channels == ["portal", "weibo"] and item.state == "draft"
    assert sorted(item.attachments.values_list("original_name", flat=True)) == ["说明.txt", "预算.pdf"]
    page = text(client.get(item_url(item)))
    assert "2025-10-30" in page and "预算.pdf" in page and "门户网站信息公开专栏、官方微博" in page
    download = client.get(item_url(item, f"attachments/{item.attachments.get(original_name='预算.pdf').pk}/"))
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")


def test_bad_drafts_show_the_services_errors_and_store_nothing(as_user, user):
    client = as_user("cwc_liaison")
    response = client.post("/workflow/items/new/", _new_item_data(title="", produced_on=""))
    assert "标题为必填项" in text(response) or "此项为必填项" in text(response)
    response = client.post("/workflow/items/new/", _new_item_data(body="<p>x</p><script>alert(1)</script>"))
    assert "正文包含不允许的活动内容" in text(response)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    assert "生成日期不能晚于今天" in text(client.post("/workflow/items/new/", _new_item_data(produced_on=future)))
    assert "未知的清单事项" in text(client.post("/workflow/items/new/", _new_item_data(catalogue_entry="99999")))
    disguised = SimpleUploadedFile("报表.pdf", b"MZ\x90\x00 not a pdf at all")
    response = client.post("/workflow/items/new/", _new_item_data(attachments=[disguised]))
    assert response.status_code == 200 and 'class="errorlist' in text(response)
    assert not DisclosureItem.objects.exists()  # the item is not kept without its file


def test_another_departments_entry_is_refused(as_user, user):
    response = as_user("cwc_liaison").post("/workflow/items/new/", _new_item_data(catalogue_entry=str(entry("40").pk)))
    assert response.status_code == 403
    assert "您只能为本部门负责的清单事项起草" in text(response)
    assert not DisclosureItem.objects.exists()


def test_the_liaison_edits_a_returned_item_removes_a_file_and_resubmits_and_sees_the_diff(as_user, user):
    item = to_state(user, draft(user), "head_review")
    services.return_item(item, actor=user("cwc_head"), comment="请补充")
    services.add_attachment(item, actor=user("cwc_liaison"), uploaded_file=SimpleUploadedFile("旧.pdf", PDF))
    old = item.attachments.get()
    client = as_user("cwc_liaison")
    response = client.post(item_url(item, "edit/"), {
        "title": "2025年收支预算总表（修订）", "body": "<p>预算总表见附件。</p><p>新增口径说明。</p>",
        "produced_on": "2025-09-26", "channels": ["portal"], "remove": [str(old.pk)],
    })
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title.endswith("（修订）")
    old.refresh_from_db()
    assert old.removed_at is not None
    client.post(item_url(item, "submit/"), {"submit-comment": "已修改"})
    item.refresh_from_db()
    assert item.state == "head_review" and item.version == 2
    diff = text(client.get(item_url(item, "diff/?a=1&b=2")))
    assert "新增口径说明" in diff and "（修订）" in diff and "第 1 版" in diff
    assert client.get(item_url(item, "diff/?a=1&b=7")).status_code == 404
    assert client.get(item_url(item, "edit/")).status_code == 302  # no longer editable: back to the page


# --- decisions ------------------------------------------------------------------------------------


def test_a_return_without_comment_is_a_form_error_and_changes_nothing(as_user, user):
    item = to_state(user, draft(user), "head_review")
    response = as_user("cwc_head").post(item_url(item, "return/"), {"return-comment": "  "})
    assert response.status_code == 400 and "必须填写意见" in text(response)
    item.refresh_from_db()
    assert item.state == "head_review"


def test_acting_twice_is_a_clear_message_not_an_error_page(as_user, user):
    item = to_state(user, draft(user), "head_review")
    client = as_user("cwc_head")
    assert client.post(item_url(item, "approve/"), {"approve-comment": ""}).status_code == 302
    response = client.post(item_url(item, "approve/"), {"approve-comment": ""}, follow=True)
    assert response.status_code == 200
    assert "现在不能执行此操作" in text(response) and "保密审查" in text(response)


def send_typed_edit(client, item):
    """The liaison's edit form sent with half an hour's work in it: a new title, body and a file."""
    return client.post(item_url(item, "edit/"), {
        "title": "半小时写成的新标题", "body": "<p>花了半小时写的正文</p>", "produced_on": "2025-09-26",
        "channels": ["portal"], "attachments": [SimpleUploadedFile("预算表.pdf", PDF)]})


def test_an_edit_sent_after_the_item_was_submitted_keeps_what_was_typed(as_user, user):
    """The liaison's edit form, sent after the item was submitted meanwhile (another tab, a
    colleague): nothing is saved, the form comes back with the text and the file, and says why."""
    item = draft(user)
    client = as_user("cwc_liaison")
    services.submit(item, actor=user("cwc_liaison"))  # meanwhile
    response = send_typed_edit(client, item)
    page = text(response)
    assert response.status_code == 409
    assert "不能再编辑" in page and "本次未保存任何内容" in page
    assert 'value="半小时写成的新标题"' in page and "花了半小时写的正文" in page
    assert "预算表.pdf" in page  # the file is held for the user too
    item.refresh_from_db()
    assert item.title == "2025年收支预算总表" and item.state == "head_review" and not item.attachments.exists()



def test_an_edit_sent_after_the_office_gave_the_draft_to_a_colleague_keeps_what_was_typed(as_user, user, django_user_model):
    """The liaison's edit form, sent after the office reassigned the draft to another liaison: not a
    bare 403 page, but the form back with the text, saying nothing was saved and who has it now;
    opening the edit page afterwards leads to the item page, saying who has it."""
    colleague = django_user_model.objects.create(username="cwc_liaison2", first_name="赵联络员")
    add_membership(colleague, Department.objects.get(code="cwc"), Role.LIAISON, actor=user("office"))
    item = draft(user)
    client = as_user("cwc_liaison")
    services.reassign(item, to=colleague, actor=user("office"))  # meanwhile
    response = send_typed_edit(client, item)
    page = text(response)
    assert response.status_code == 409
    assert "赵联络员" in page and "本次未保存任何内容" in page
    assert 'value="半小时写成的新标题"' in page and "花了半小时写的正文" in page and "预算表.pdf" in page
    item.refresh_from_db()
    assert item.title == "2025年收支预算总表" and not item.attachments.exists()
    # Opening the edit page again leads to the item page, which says who has the task now.
    response = client.get(item_url(item, "edit/"), follow=True)
    assert response.redirect_chain == [(item_url(item), 302)]
    assert "信息公开办公室已将此任务改派给赵联络员" in text(response), text(response)
    # Someone who never had the role still gets the 403 page.
    assert as_user("cwc_head").get(item_url(item, "edit/")).status_code == 403


def test_a_decision_someone_took_first_keeps_the_comment_that_was_typed(as_user, user):
    """A return with a long comment, sent after another holder of the role approved: it is not
    done, the page says why and shows the comment to copy; without a comment, back to the page."""
    item = to_state(user, draft(user), "head_review")
    client = as_user("cwc_head")
    services.approve(item, actor=user("cwc_head"))  # meanwhile, in another tab
    response = client.post(item_url(item, "return/"), {"return-comment": "第三段的数字与附件不一致，请核对"})
    page = text(response)
    assert response.status_code == 409 and "现在不能执行此操作" in page
    assert 'id="unsent-text"' in page and "第三段的数字与附件不一致，请核对" in page
    item.refresh_from_db()
    assert item.state == "confidentiality_review"
    # A stale confirmation (here a withdrawal's reason) keeps its text the same way.
    published = to_state(user, draft(user, title="另一事项"), "published")
    office = as_user("office")
    confirmation = {"withdraw-comment": "数据有误，撤回后重新发布", "confirmed": "1",
                    "confirmed_state": "published", "confirmed_version": "0"}
    response = office.post(item_url(published, "withdraw/"), confirmation)
    assert response.status_code == 409 and "数据有误，撤回后重新发布" in text(response)
    published.refresh_from_db()
    assert published.state == "published"


def test_secret_and_major_items_go_through_the_secrecy_office_and_the_leading_group(as_user, user):
    item = to_state(user, draft(user, touches_state_secret=True, is_major=True), "confidentiality_review")
    as_user("cwc_reviewer").post(item_url(item, "clear/"), {"clear-comment": ""})
    item.refresh_from_db()
    assert item.state == "secrecy_review"
    page = text(as_user("secrecy").get(item_url(item)))
    assert 'id="form-clear"' in page and 'id="form-refuse"' in page
    as_user("secrecy").post(item_url(item, "clear/"), {"clear-comment": "不涉密"})
    item.refresh_from_db()
    assert item.state == "leader_review"
    as_user("leader").post(item_url(item, "approve/"), {"approve-comment": "同意"})
    item.refresh_from_db()
    assert item.state == "office_review"
    history = text(as_user("office").get(item_url(item)))
    assert "保密办审查员" in history and "领导小组" in history


def test_the_office_schedules_publication_then_withdraws_and_corrects(as_user, user):
    item = to_state(user, draft(user), "office_review")
    client = as_user("office")
    when = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(item_url(item, "publish/"), confirmed(item, {"publish-channels": ["wechat"], "publish-publish_at": when}))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == "publishing" and item.channels == ["portal", "wechat"]
    assert "定时发布于" in text(client.get(item_url(item)))

    item = to_state(user, draft(user, title="另一事项"), "published")
    response = client.post(item_url(item, "withdraw/"), {"withdraw-comment": ""})
    assert response.status_code == 400 and "必须填写意见" in text(response)
    item2 = to_state(user, draft(user, title="第三事项"), "published")
    response = client.post(item_url(item2, "correct/"), {"correct-comment": "数字有误"})
    correction = DisclosureItem.objects.get(supersedes=item2)
    assert response["Location"] == item_url(correction)  # the office drafts nothing: no edit page for it
    client.post(item_url(item, "withdraw/"), confirmed(item, {"withdraw-comment": "信息有误"}))
    item.refresh_from_db()
    assert item.state == "withdrawn"
    page = text(client.get(item_url(item)))
    assert "已撤回" in page and "信息有误" in page


def test_a_correction_lands_on_a_page_its_starter_may_open(as_user, user):
    """The office starts a correction and lands on the new draft's page (its edit page would be a
    403: the liaison revises it); a liaison who starts one lands on its edit form."""
    item = to_state(user, draft(user), "published")
    response = as_user("office").post(item_url(item, "correct/"), {"correct-comment": "数字有误"}, follow=True)
    correction = DisclosureItem.objects.get(supersedes=item)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == item_url(correction)
    assert "由该部门联络员修改后提交审核" in text(response)
    assert as_user("cwc_liaison").get("/workflow/").content.decode().count(item_url(correction)) >= 1

    other = to_state(user, draft(user, title="另一事项"), "published")
    response = as_user("cwc_liaison").post(item_url(other, "correct/"), {"correct-comment": ""}, follow=True)
    correction = DisclosureItem.objects.get(supersedes=other)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == item_url(correction, "edit/")
    assert "已发起更正，生成新的草稿。" in text(response)


def test_an_actions_address_opened_again_leads_to_the_item_page(as_user, user):
    """The confirmation page and a form with errors are shown at the action's address: switching
    the language there (or reloading it from the address bar) opens it with GET, which leads to the
    item page — not to a bare 405 the browser shows as a broken page. Unseen items stay 404."""
    item = to_state(user, draft(user), "office_review")
    client = as_user("office")
    confirmation = client.post(item_url(item, "publish/"), {"publish-channels": ["wechat"]})
    assert "确认发布" in text(confirmation)
    response = client.post("/i18n/setlang/", {"language": "en", "next": item_url(item, "publish/")},
                           HTTP_REFERER="http://testserver" + item_url(item, "publish/"), follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == item_url(item)
    assert "What you can do" in text(response)
    item.refresh_from_db()
    assert item.state == "office_review"  # opening it did nothing
    assert client.get(item_url(item, "reassign/")).status_code == 302
    assert client.put(item_url(item, "publish/")).status_code == 405
    assert as_user("jwc_head").get(item_url(item, "approve/")).status_code == 404


def test_a_channel_the_office_retired_is_still_named_on_the_item_page(as_user, user):
    """An item proposed for 微信公众号 before the office made that channel inactive: its page names
    the channel, never its code."""
    from workflow.channels import Channel, save_channel

    item = draft(user)  # proposed for the disclosure column and 微信公众号
    wechat = Channel.objects.get(code="wechat")
    wechat.active = False
    save_channel(wechat, actor=user("office"), changed_fields=["active"])
    page = text(as_user("cwc_liaison").get(item_url(item)))
    assert "官方微信公众号" in page and "wechat" not in re.sub(r"<[^>]+>", " ", page)


def test_an_attachment_is_listed_by_name_and_size_not_by_its_media_type(as_user, user, settings, tmp_path):
    """A Word file reads as its name; the page never shows a code like
    application/vnd.openxmlformats-officedocument.wordprocessingml.document."""
    import io
    import zipfile

    settings.MEDIA_ROOT = tmp_path / "media"
    item = draft(user)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", "<w:document/>")
    services.add_attachment(item, actor=user("cwc_liaison"),
                            uploaded_file=SimpleUploadedFile("预算说明.docx", packed.getvalue()))
    page = re.sub(r"<[^>]+>", " ", text(as_user("cwc_head").get(item_url(item))))
    assert "预算说明.docx" in page and "application/" not in page


# --- inbox ----------------------------------------------------------------------------------------


def test_the_inbox_lists_tasks_due_soonest_first_with_overdue_and_provisional_marks(as_user, user):
    CalendarDay.objects.filter(date__year=timezone.localdate().year).delete()  # this year unknown
    fresh = to_state(user, draft(user, title="新的事项", produced_on=timezone.localdate()), "head_review")
    late = to_state(user, draft(user, title="逾期的事项"), "head_review")
    page = text(as_user("cwc_head").get("/workflow/"))
    assert page.index("逾期的事项") < page.index("新的事项")
    assert f'class="task overdue" data-item="{late.pk}"' in page
    assert f'class="task" data-item="{fresh.pk}"' in page
    fresh.refresh_from_db()
    assert fresh.deadline_provisional and "预估" in page


def test_notifications_show_in_the_inbox_and_can_be_marked_read(as_user, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # notifications go out after commit
        item = to_state(user, draft(user), "head_review")
    head = user("cwc_head")
    assert Notification.objects.filter(user=head, read_at__isnull=True).exists()
    client = as_user("cwc_head")
    page = text(client.get("/home/"))
    assert "新待办：2025年收支预算总表" in page
    note = Notification.objects.filter(user=head).first()
    client.post("/workflow/notifications/read/", {"id": str(note.pk), "next": "/home/"})
    note.refresh_from_db()
    assert note.read_at is not None
    client.post("/workflow/notifications/read/", {})
    assert not Notification.objects.filter(user=head, read_at__isnull=True).exists()
    assert "没有未读通知" in text(client.get("/workflow/"))
    assert item.pk


def test_a_policy_document_needs_its_interpretation_before_the_office_can_publish(as_user, user):
    item = to_state(user, draft(user, is_policy_document=True), "office_review")
    response = as_user("office").post(item_url(item, "publish/"), {"publish-channels": ["wechat"]})
    assert response.status_code == 400 and "须在发布前关联政策解读" in text(response)
    item.refresh_from_db()
    assert item.state == "office_review"


def test_a_refused_action_says_why(as_user, user):
    item = to_state(user, draft(user), "head_review")
    response = as_user("cwc_reviewer").post(item_url(item, "approve/"), {"approve-comment": ""})
    assert response.status_code == 403 and "您无权对此事项执行该操作" in text(response)
