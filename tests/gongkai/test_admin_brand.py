def test_the_administration_is_branded_and_chinese(client, user):
    office = user("office")
    if not office.is_staff:
        office.is_staff = True
        office.save(update_fields=["is_staff"])
    client.force_login(office)
    page = client.get("/admin/").content.decode()
    assert "公开 · 系统管理" in page and "Django" not in page.split("<body")[1]
