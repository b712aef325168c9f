import pytest


@pytest.fixture(autouse=True)
def records_dir(settings, tmp_path, monkeypatch):
    """Letters are signed PDFs stored under RECORDS_DIR: each test gets its own."""
    settings.RECORDS_DIR = tmp_path / "records"
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("RECORDS_DIR", str(settings.RECORDS_DIR))
    monkeypatch.setenv("FOI_LETTER_TEMPLATES_DIR", str(tmp_path / "letter-templates"))
    return settings.RECORDS_DIR


def resident_id(prefix="11010519900307"):
    """A valid 18-character resident identity number (with its check character)."""
    from foi.services import ID_WEIGHTS

    body = (prefix + "123")[:17]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]


APPLICANT = "李明远"
ID_NUMBER = resident_id()


def application(**overrides):
    data = {
        "applicant_kind": "person",
        "applicant_name": APPLICANT,
        "id_type": "resident_id",
        "id_number": ID_NUMBER,
        "phone": "13800138000",
        "email": "liming@example.com",
        "postal_address": "",
        "description": "2025年学校各类收费项目的收费依据和标准",
        "form_wanted": "email",
        "delivery": "online",
        "website": "",
    }
    data.update(overrides)
    return data
