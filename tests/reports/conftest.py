import pytest
from django.core.cache import cache as django_cache

from portal import cache


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Each test starts with no cached public page (the database rolls back between tests; the
    cache does not)."""
    django_cache.clear()
    cache.forget_version()
    yield
    django_cache.clear()
    cache.forget_version()
