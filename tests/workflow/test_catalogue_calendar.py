import datetime

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from workflow.models import CalendarDay, CatalogueCategory, CatalogueEntry
from workflow.workdays import add_working_days, disclosure_deadline

D = datetime.date


def test_seed_gives_the_fifty_moe_items_in_ten_categories(demo):
    assert CatalogueCategory.objects.count() == 10
    assert CatalogueEntry.objects.count() == 50
    assert CatalogueEntry.objects.get(code="7").department.code == "zsb"
    assert CatalogueEntry.objects.get(code="19").department.code == "cwc"
    not_applicable = set(CatalogueEntry.objects.filter(applicable=False).values_list("code", flat=True))
    assert not_applicable == {"11", "12", "13", "14", "34", "43", "44", "45", "46"}
    assert all(CatalogueEntry.objects.filter(applicable=False).values_list("not_applicable_reason", flat=True))


def test_catalogue_seed_is_idempotent_and_keeps_office_edits(demo):
    entry = CatalogueEntry.objects.get(code="2")
    entry.title = "学校章程及规章制度（本校）"
    entry.save()
    before = (CatalogueEntry.objects.count(), CalendarDay.objects.count(), AuditEvent.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (CatalogueEntry.objects.count(), CalendarDay.objects.count(), AuditEvent.objects.count()) == before
    assert CatalogueEntry.objects.get(code="2").title == "学校章程及规章制度（本校）"


def test_calendar_holds_only_the_days_that_differ_from_monday_to_friday(demo):
    national_day = CalendarDay.objects.get(date=D(2025, 10, 1))
    assert not national_day.is_workday and national_day.note == "国庆节"
    assert CalendarDay.objects.get(date=D(2025, 9, 28)).is_workday  # make-up Sunday
    assert not CalendarDay.objects.filter(date=D(2025, 10, 13)).exists()  # an ordinary Monday
    assert not CalendarDay.objects.filter(date__year=2027).exists()


@pytest.mark.parametrize(
    "produced, n, expected",
    [
        # National Day 2025: 1–8 Oct off, Sun 28 Sep and Sat 11 Oct are make-up workdays.
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        (D(2025, 9, 30), 3, D(2025, 10, 11)),
        (D(2025, 9, 26), 20, D(2025, 10, 30)),
        # Spring Festival 2026: 15–23 Feb off; Sat 14 Feb and Sat 28 Feb are make-up workdays.
        (D(2026, 2, 12), 2, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 10), 20, D(2026, 3, 16)),
    ],
)
def test_deadlines_count_make_up_days_and_skip_holidays(demo, produced, n, expected):
    assert add_working_days(produced, n) == (expected, False)


def test_deadline_in_an_unknown_year_is_provisional_monday_to_friday(demo):
    # 2027 is not in chinesecalendar 1.11.0: Monday–Friday, marked provisional.
    assert disclosure_deadline(D(2027, 3, 1)) == (D(2027, 3, 29), True)
    assert add_working_days(D(2026, 12, 30), 2) == (D(2027, 1, 1), True)
    assert add_working_days(D(2026, 12, 28), 2) == (D(2026, 12, 30), False)


def test_office_entries_make_a_year_known(demo):
    CalendarDay.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦", source="office")
    assert add_working_days(D(2026, 12, 30), 2) == (D(2027, 1, 4), False)


def test_the_office_edits_the_catalogue_and_calendar_in_the_admin_with_audit(client, user):
    client.force_login(user("office"))
    entry = CatalogueEntry.objects.get(code="35")
    response = client.post(
        f"/admin/workflow/catalogueentry/{entry.pk}/change/",
        {
            "code": "35", "category": entry.category_id, "title": entry.title, "department": entry.department_id,
            "applicable": "", "not_applicable_reason": "本校无艺术教育专业", "frequency": "annual", "order": entry.order,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    entry.refresh_from_db()
    assert not entry.applicable and entry.not_applicable_reason == "本校无艺术教育专业"
    assert AuditEvent.objects.filter(action="catalogue.entry.update", actor_username="office").count() == 1

    response = client.post("/admin/workflow/calendarday/add/", {"date": "2027-01-01", "is_workday": "", "note": "元旦"})
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=D(2027, 1, 1)).source == "office"
    assert AuditEvent.objects.filter(action="calendar.day.save", actor_username="office").count() == 1


def test_a_head_cannot_open_the_catalogue_admin(client, user):
    client.force_login(user("cwc_head"))
    assert client.get("/admin/workflow/catalogueentry/").status_code == 302


def test_entering_a_year_turns_provisional_deadlines_into_firm_ones(user, time_machine):
    from tests.workflow.helpers import entry
    from workflow import services, workdays

    time_machine.move_to(datetime.datetime(2027, 1, 2, 9, tzinfo=datetime.timezone.utc))
    item = services.create_item(actor=user("cwc_liaison"), catalogue_entry=entry("19"), title="预算",
                                body="<p>x</p>", produced_on=D(2026, 12, 30))
    assert (item.due_on, item.deadline_provisional) == (D(2027, 1, 27), True)
    # The office enters New Year's Day 2027 (Friday 1 January) as a holiday.
    workdays.save_day(CalendarDay(date=D(2027, 1, 1), is_workday=False, note="元旦"), actor=user("office"))
    item.refresh_from_db()
    assert (item.due_on, item.deadline_provisional) == (D(2027, 1, 28), False)
