"""The 承办部门 the office names at registration is on the request, and that department gets the
task: a notification that leads to the request and a line under "what needs me" on its home page.
An extension the law does not allow is refused where the office sees it."""

import datetime

import time_machine
from django.core import mail

from foi.models import InformationRequest
from policies.models import Department
from workflow.models import Notification

CURRENT_TIME = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def _register(client, user, department):
    client.force_login(user("office"))
    response = client.post("/foi/new/", {
        "received_on": "2026-03-10", "applicant_name": "王小红", "applicant_kind": "person", "contact": "13900001111",
        "description": "2025年度学生资助资金的发放情况", "form_wanted": "email", "delivery": "online",
        "department": department.pk,
    })
    assert response.status_code == 302
    return InformationRequest.objects.get(applicant_name="王小红")


@time_machine.travel(CURRENT_TIME)
def test_the_department_named_at_registration_gets_the_task(client, user, django_capture_on_commit_callbacks):
    cwc = Department.objects.get(code="cwc")
    liaison = user("cwc_liaison")
    liaison.email = "cwc-liaison@example.edu.cn"
    liaison.save()
    with django_capture_on_commit_callbacks(execute=True):
        req = _register(client, user, cwc)
    page = client.get(f"/foi/{req.pk}/").content.decode()
    assert '<dd id="department">财务资产处</dd>' in page
    listed = client.get("/foi/").content.decode()
    assert f'data-request="{req.pk}"' in listed and "财务资产处" in listed[listed.index(f'data-request="{req.pk}"'):]

    note = Notification.objects.get(user=liaison)
    assert note.link == f"/foi/{req.pk}/" and req.number in note.message and "请起草答复" in note.message
    assert any(liaison.email in m.to and f"/foi/{req.pk}/" in m.body for m in mail.outbox)
    assert not Notification.objects.filter(user=user("jwc_liaison")).exists()  # not another department's
    assert not Notification.objects.filter(user=user("cwc_head")).exists()  # nothing to approve yet

    client.force_login(liaison)
    home = client.get("/home/").content.decode()
    tasks = home[home.index('id="foi-tasks"'):]
    assert f'href="/foi/{req.pk}/"' in tasks and "起草答复" in tasks and "2026-03-31" in tasks
    assert f'<a href="/foi/{req.pk}/">{note.message}</a>' in home  # the notification leads to the request
    client.force_login(user("jwc_liaison"))
    assert 'id="foi-tasks"' not in client.get("/home/").content.decode()

    # The liaison drafts; now the head has the task.
    client.force_login(liaison)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/foi/{req.pk}/draft/", {"draft-outcome": "disclosed", "draft-answer": "资助资金发放情况见附件。"})
    client.force_login(liaison)
    assert 'id="foi-tasks"' not in client.get("/home/").content.decode()  # done on their side
    head = user("cwc_head")
    assert "请审核答复草稿" in Notification.objects.get(user=head).message
    client.force_login(head)
    home = client.get("/home/").content.decode()
    assert "审核答复草稿" in home[home.index('id="foi-tasks"'):]


@time_machine.travel(CURRENT_TIME)
def test_assigning_later_gives_the_new_department_the_task(client, user):
    req = _register(client, user, Department.objects.get(code="cwc"))
    client.post(f"/foi/{req.pk}/assign/", {"assign-department": Department.objects.get(code="xsc").pk})
    req.refresh_from_db()
    assert req.department.code == "xsc"
    assert Notification.objects.filter(user=user("xsc_liaison"), link=f"/foi/{req.pk}/").count() == 1
    client.force_login(user("xsc_liaison"))
    assert f'href="/foi/{req.pk}/"' in client.get("/home/").content.decode()
    client.force_login(user("cwc_liaison"))
    assert 'id="foi-tasks"' not in client.get("/home/").content.decode()  # no longer theirs


@time_machine.travel(CURRENT_TIME)
def test_an_extension_beyond_the_law_is_refused_in_sight(client, user):
    req = _register(client, user, Department.objects.get(code="cwc"))
    response = client.post(f"/foi/{req.pk}/extend/", {"extend-days": "20", "extend-reason": "需要协调多个部门"})
    assert response.status_code == 400
    page = response.content.decode()
    summary = page[page.index('id="form-errors"'):page.index("</div>", page.index('id="form-errors"'))]
    assert "延长答复期限" in summary
    assert "须为 1 至 15 个工作日。" in summary and 'href="#id_extend-days"' in summary
    assert '<details id="action-extend" open>' in page  # the section with the field is open
    assert page.count("须为 1 至 15 个工作日。") == 2  # at the top and by the field
    assert 'value="需要协调多个部门"' in page  # nothing typed is lost
    req.refresh_from_db()
    assert req.extended_days == 0
