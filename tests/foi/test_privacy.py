"""Applicants' identity never reaches public output; letters promised but lost are issued by the
periodic job; the office answers online complaints."""

import datetime
import re

import time_machine

from foi import services
from foi.models import InformationRequest, Letter
from foi.tasks import housekeeping
from tests.foi.conftest import APPLICANT, ID_NUMBER
from tests.portal.factory import published

CURRENT_TIME = datetime.datetime(2025, 11, 3, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
PUBLIC_PAGES = ["/", "/catalogue/", "/guide/", "/annual-reports/", "/feed/", "/search/?q=收费",
                "/category/3/", "/apply/", "/apply/status/"]


def test_the_applicants_identity_never_appears_on_public_output(client, user, django_capture_on_commit_callbacks):
    office = user("office")
    with time_machine.travel(CURRENT_TIME):
        req, _code = services.submit_online(
            address="127.0.0.1", applicant_kind="person", applicant_name=APPLICANT, id_type="resident_id", id_number=ID_NUMBER,
            phone="13912345678", email="liming@example.com", postal_address="", description="2025年学校收费项目及标准",
            form_wanted="email", delivery="online",
        )
        req = services.confirm(req, actor=office)
        with django_capture_on_commit_callbacks(execute=True):
            services.answer(req, actor=office, outcome="disclosed", answer="已公开，见信息公开目录第23项。")
            item = published("23", title="2025年学校收费项目及标准", produced_on=datetime.date(2025, 10, 27))
    secrets = [APPLICANT, ID_NUMBER, "13912345678", "liming@example.com"]
    for url in PUBLIC_PAGES + [f"/items/{item.pk}/"]:
        body = client.get(url).content.decode()
        for secret in secrets:
            assert secret not in body, (url, secret)
    # Searching for the applicant finds exactly what searching for a stranger finds: nothing.
    def search(name):
        body = client.get(f"/search/?q={name}").content.decode().replace(name, "NAME")
        body = re.sub(r'\?q=[^"]*"', '"', body)  # the language menu's way back (URL-encoded query)
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)

    assert search(APPLICANT) == search("赵无名")
    record = client.get(f"/api/disclosures/{item.pk}/record/")
    assert record.status_code in (200, 404)  # anonymous API access may be refused; the PDF itself is checked below
    from records.models import Record

    pdf = Record.objects.get(item=item).file_path.read_bytes()
    for secret in secrets:
        assert secret.encode() not in pdf
    # The applicant's own letter names them; it is reachable only with the code.
    assert client.get(f"/apply/status/{req.number}/letters/{req.letters.get().pk}/").status_code == 404


def test_a_promised_letter_lost_with_its_worker_is_issued_by_the_periodic_job(user):
    office = user("office")
    with time_machine.travel(CURRENT_TIME):
        req, _code = services.submit_online(
            address="127.0.0.1", applicant_kind="person", applicant_name=APPLICANT, id_type="passport", id_number="E12345678",
            phone="13912345678", description="学校章程", form_wanted="paper", delivery="in_person",
        )
        services.confirm(req, actor=office)  # the on-commit job never runs here: as if the worker died
    req.refresh_from_db()
    assert req.letter_plan == [{"kind": "receipt", "sequence": 1}] and not Letter.objects.exists()
    assert housekeeping()["letters"] == 1
    assert housekeeping()["letters"] == 0
    assert InformationRequest.objects.get(pk=req.pk).letters.get().kind == "receipt"


def test_the_office_answers_an_online_complaint(client, user):
    complaint, code = services.submit_complaint_online(address="127.0.0.1", kind="complaint", name="王芳", summary="学校未按时公开收费标准")
    client.force_login(user("cwc_liaison"))
    assert client.get(f"/foi/complaints/{complaint.pk}/").status_code == 404
    client.force_login(user("office"))
    assert "王芳" in client.get("/foi/").content.decode() or complaint.number in client.get("/foi/").content.decode()
    response = client.post(f"/foi/complaints/{complaint.pk}/", {"result": "已督促财务资产处公开，并在信息公开目录第23项发布。"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.closed_on and "督促" in complaint.result


def test_the_public_sees_requests_only_in_aggregate(client, user):
    office = user("office")
    with time_machine.travel(CURRENT_TIME):
        req, _code = services.submit_online(
            address="127.0.0.1", applicant_kind="person", applicant_name=APPLICANT, id_type="passport", id_number="E12345678",
            phone="13912345678", description="学校章程", form_wanted="paper", delivery="in_person",
        )
        services.answer(services.confirm(req, actor=office), actor=office, outcome="disclosed", answer="见附件。")
        page = client.get("/apply/").content.decode()
    assert "2025年学校共受理信息公开申请 1 件，已答复 1 件，其中按期答复 1 件。" in page
    assert APPLICANT not in page and req.number not in page
