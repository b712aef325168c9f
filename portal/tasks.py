from celery import shared_task


@shared_task(ignore_result=True)
def warm_pages():
    """Render the public pages most visitors open for the site's current version (portal.cache)."""
    from portal import cache

    return cache.warm_scheduled()
