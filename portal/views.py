"""The public disclosure site (信息公开专栏): no login. Pages are rendered once per site version,
language and URL: anonymous visitors then get the whole page from portal.middleware, signed-in
staff the cached body (portal.cache) in a frame rendered for them."""

from functools import wraps

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Max, Min
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_safe

from core import inputs
from core.inputs import as_id
from core.files import download
from core.safe_text import for_xml
from policies.models import Department
from portal import cache
from portal.channels import placements_for
from portal.public import LATEST_ON_INDEX, categories_with_counts, listed_items, public_in_entry, public_items, published_in
from portal.search import Results as SearchResults
from records.models import Record
from workflow.channels import Channel
from workflow.content import display_html
from workflow.models import CatalogueCategory, State

MAX_QUERY = 100


def _url(name, fallback, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def anonymous_without_state(request, check_user=True):
    """A visitor without a session or pending messages: the whole page is the same for all of them."""
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return not (check_user and request.user.is_authenticated)


def cached_page(render_body):
    """Wrap a function returning (title, body HTML) in the page frame, with the body cached per
    (site version, language, URL). A page for an anonymous visitor without a session is the same
    for all of them: it is marked, and portal.middleware keeps the whole response for the next."""

    @require_safe
    @wraps(render_body)
    def view(request, *args, **kwargs):
        title, body = _body(cache.body_key(request, translation.get_language()), render_body, request, *args, **kwargs)
        response = render(request, "portal/page.html",
                          {"page_title": title, "page_body": body, "public_section": _section(request)})
        response.same_for_every_visitor = anonymous_without_state(request)
        return response

    return view


def _section(request):
    """The public menu entry a page belongs to (public_base.html highlights it)."""
    name = request.resolver_match.url_name if request.resolver_match else ""
    return {"index": "index", "search": "search", "annual-reports": "annual"}.get(name, name)


def _body(key, render_body, request, *args, **kwargs):
    entry = cache.get(key)
    if entry is None:
        entry = render_body(request, *args, **kwargs)  # Http404 propagates, uncached
        cache.put(key, entry)
    return entry


def _filters(request):
    """The category/department/year filters and the search words from the query string."""
    params = request.GET
    filters = {"q": params.get("q", "").strip()[:MAX_QUERY], "department": None, "year": None, "category": None}
    code = params.get("department", "").strip()
    if code:
        filters["department"] = Department.objects.filter(code=code[:50]).first() or Http404
    year = as_id(params.get("year", ""))
    if params.get("year", "").strip():
        filters["year"] = year if year and 1990 <= year <= 2100 else Http404
    if params.get("category", "").strip():
        filters["category"] = _category(params["category"]) or Http404
    return filters


def _category(number):
    number = as_id(number)
    return CatalogueCategory.objects.filter(number=number).first() if number and number < 2**31 else None


def _apply(queryset, filters):
    """The filtered items; with search words, ranked search results over them (portal.search)."""
    narrowed = filters["department"] or filters["year"] or filters["category"]
    if filters.get("entry"):
        queryset = queryset.filter(catalogue_entry=filters["entry"])
    if filters["department"]:
        queryset = queryset.filter(department=filters["department"])
    if filters["year"]:
        queryset = queryset.filter(published_at__year=filters["year"])
    if filters["category"]:
        queryset = _in_category(queryset, filters["category"])
    if filters["q"]:
        # Unnarrowed, the search index holds exactly the public items: no need to ask which.
        return SearchResults(filters["q"], within=queryset if narrowed else None)
    return queryset


def _in_category(queryset, category):
    # By the entries' ids rather than a join: the items' catalogue_entry index does the work.
    return queryset.filter(catalogue_entry_id__in=list(category.entries.values_list("pk", flat=True)))


def _choices(category=None):
    """The filter form's choices: the same on every page of a site version (cache.of_version)."""
    choices = {"years": cache.of_version(("years", category and category.pk), lambda: _years(category)),
               "departments": cache.of_version("departments", _departments)}
    if category is None:  # a category's own page offers its catalogue items instead
        choices["categories"] = cache.of_version("categories", lambda: list(CatalogueCategory.objects.order_by("order", "number")))
    return choices


def _years(category):
    """The years between the first and the last publication, newest first (no per-row date arithmetic)."""
    items = public_items() if category is None else _in_category(public_items(), category)
    span = items.aggregate(first=Min("published_at"), last=Max("published_at"))
    if not span["first"]:
        return []
    first, last = timezone.localtime(span["first"]).year, timezone.localtime(span["last"]).year
    return list(range(last, first - 1, -1))


def _departments():
    """The departments responsible for catalogue items (a handful; no scan of the items)."""
    return list(Department.objects.filter(catalogue_entries__isnull=False).distinct().order_by("code"))


def _page(request, queryset, count=None):
    paginator = Paginator(queryset, settings.PORTAL_PAGE_SIZE)
    if count is not None:
        paginator.count = count  # known without counting the items
    return paginator.get_page(request.GET.get("page"))


def _left_out(found):
    """For the list's note: search ranks only the newest matches (portal.search.Results)."""
    return {"more_than": getattr(found, "more_than", None)}


def _querystring(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@cached_page
def index(request):
    latest = list(listed_items()[:LATEST_ON_INDEX])
    body = render_to_string(
        "portal/index.html",
        # The filter form's choices first: their "categories" must not replace the counted ones.
        {**_choices(), "category_counts": categories_with_counts(), "latest": latest},
        request=None,
    )
    return _("Information disclosure column"), body


@cached_page
def category(request, number):
    category = CatalogueCategory.objects.filter(number=number).first()
    if category is None:
        raise Http404(_("No such category."))
    filters = _filters(request)
    # One catalogue item of this category (清单事项): the catalogue tree's "all N items" leads here.
    code = request.GET.get("entry", "").strip()
    filters["entry"] = (category.entries.filter(code=code[:20]).first() or Http404) if code else None
    if Http404 in filters.values():
        raise Http404(_("No such filter value."))
    narrowed = filters["q"] or filters["department"] or filters["year"]
    filters["category"] = category
    found = _apply(listed_items(), filters)
    # Known without counting the items, unless words, a department or a year narrow the list.
    count = None if narrowed else public_in_entry(filters["entry"]) if filters["entry"] else published_in(category)
    page = _page(request, found, count=count)
    entries = category.entries.filter(active=True).select_related("department")
    body = render_to_string(
        "portal/category.html",
        {"category": category, "page": page, "entries": entries, "filters": filters, **_left_out(found),
         "querystring": _querystring(request), **_choices(category)},
    )
    return category.name, body


# The search filters' labels (portal/_filters.html), for a refused parameter's message.
inputs.register_labels("portal", {"q": _lazy("Search titles and texts"), "category": _lazy("Category"),
                                  "entry": _lazy("Catalogue item"), "department": _lazy("Department"), "year": _lazy("Year")})


@cached_page
def search(request):
    filters = _filters(request)
    if Http404 in filters.values():
        raise Http404(_("No such filter value."))
    searched = any(filters.values())
    found = _apply(listed_items(), filters) if searched else None
    page = _page(request, found) if searched else None
    body = render_to_string(
        "portal/search.html",
        {"page": page, "filters": filters, "searched": searched, **_left_out(found),
         "querystring": _querystring(request), **_choices()},
    )
    return (_("Search: %(q)s") % {"q": filters["q"]}) if filters["q"] else _("Search"), body


def _content(item):
    """What a public item shows beyond its title and dates: a withdrawn one only says why it was
    taken down (no body, files, record or channels)."""
    if item.is_withdrawn:
        return {"body_html": "", "record": None, "attachments": [], "placements": []}
    return {
        "body_html": display_html(item.body),
        "record": Record.objects.filter(item_id=item.pk, kind=Record.Kind.PUBLICATION).order_by("-version").first(),
        "attachments": list(item.attachments.filter(removed_at__isnull=True, uploaded_at__lte=item.published_at)),
        "placements": [p for p in placements_for([item], channels=cache.of_version("channels", _channels))[item.pk]
                       if p.code != "portal"],
    }


def _channels():
    return list(Channel.objects.all())


@cached_page
def item(request, pk):
    item = (
        public_items()
        .select_related("department", "catalogue_entry__category", "supersedes")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404(_("No such item."))
    # An item in force has no public correction: publishing one supersedes it in the same transaction.
    corrections = [] if item.state == State.PUBLISHED else list(public_items().filter(supersedes=item).order_by("published_at"))
    supersedes = item.supersedes if item.supersedes and item.supersedes.is_public else None
    # A link only to an item that is itself public: never the title of a refused or unpublished one.
    interpretation = public_items().filter(pk=item.interpretation_id).first() if item.interpretation_id else None
    body = render_to_string(
        "portal/item.html",
        {
            "item": item,
            "index_number": _index_number(item),
            "validity": _validity(item),
            **_content(item),
            "record_url": _url("item-record", f"/api/disclosures/{item.pk}/record/", item.pk),
            "verify_url": _url("verify", "/verify/"),
            "corrections": corrections,
            "supersedes": supersedes,
            "interpretation": interpretation,
        },
    )
    return item.title, body


@require_safe
def feed(request):
    """Atom feed of the latest publications, site-wide or for one category (?category=NUMBER)."""
    key = cache.page_key(request, translation.get_language()) + ":feed"
    content = cache.get(key)
    if content is None:
        content = _feed_xml(request)
        cache.put(key, content)
    return HttpResponse(content, content_type="application/atom+xml; charset=utf-8")


def _feed_xml(request):
    number = request.GET.get("category", "").strip()
    items = listed_items().defer(None)
    title = _("%(school)s · Information disclosure") % {"school": settings.SCHOOL_NAME}
    link = settings.SITE_URL + reverse("portal:index")
    if number:
        category = _category(number)
        if category is None:
            raise Http404(_("No such category."))
        items = _in_category(items, category)
        title = f"{title} · {category.name}"
        link = settings.SITE_URL + reverse("portal:category", args=[category.number])
    feed = Atom1Feed(
        title=title,
        link=link,
        description=_("Latest publications"),
        language=translation.get_language(),
        feed_url=settings.SITE_URL + request.get_full_path(),
        feed_guid=settings.SITE_URL + request.get_full_path(),
    )
    for item in items[: settings.PORTAL_FEED_SIZE]:
        url = settings.SITE_URL + reverse("portal:item", args=[item.pk])
        withdrawn = item.is_withdrawn
        summary = (
            _("Withdrawn: %(reason)s") % {"reason": item.withdrawn_reason}
            if withdrawn
            else Truncator(strip_tags(item.body or "")).chars(200)
        )
        # XML cannot carry every character a stored text may hold: one odd title must not break
        # the feed for everyone.
        feed.add_item(
            title=for_xml((_("[Withdrawn] %(title)s") % {"title": item.title}) if withdrawn else item.title),
            link=url,
            unique_id=url,
            description=for_xml(summary),
            pubdate=item.published_at,
            updateddate=(item.withdrawn_at if withdrawn and item.withdrawn_at else item.published_at),
            author_name=for_xml(item.department.name),
            categories=[for_xml(item.catalogue_entry.category.name)],
        )
    return feed.writeString("utf-8")


# portal.pages (the catalogue and guide pages) imports this module's page cache.
def _index_number(item):
    from portal.pages import index_number

    return index_number(item)


def _validity(item):
    from portal.pages import validity

    return validity(item)


def not_found(request, exception=None):
    """The site's 404 page (gongkai.urls.handler404): the same for a missing and a hidden item."""
    return render(request, "portal/404.html", status=404)


@require_safe
def attachment(request, pk, attachment_pk):
    """An attachment of a published item, for anyone (a withdrawn item's attachments are gone with
    it). Sent as a download with its detected type, never rendered by the browser."""
    item = public_items().exclude(state=State.WITHDRAWN).filter(pk=pk).first()
    if item is None:
        raise Http404(_("No such item."))
    found = item.attachments.filter(pk=attachment_pk, removed_at__isnull=True, uploaded_at__lte=item.published_at).first()
    if found is None:
        raise Http404(_("No such attachment."))
    response = download(found.file.open("rb"), filename=found.original_name, content_type=found.content_type)
    response["Cache-Control"] = "public, max-age=300"
    return response
