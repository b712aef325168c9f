from celery import shared_task


@shared_task(ignore_result=True)
def warm_pages():
    """Render the public pages most visitors open for the site's current version (portal.cache)."""
    from portal import cache

    return cache.warm_scheduled()


@shared_task(ignore_result=True)
def keep_pages_warm():
    """The periodic check that those pages are warm (portal.cache.keep_warm)."""
    from portal import cache

    return cache.keep_warm()
