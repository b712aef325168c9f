"""Full-text search of the published items, Chinese first.

Chinese has no spaces between words, so both sides are segmented with jieba: an item's title and
text at publication (search mode, which also keeps the shorter words inside long ones: 国家奖学金
→ 国家 奖学 奖学金 国家奖学金), the visitor's query at search time (precise mode). The words are
stored space-separated in SearchDocument, and the database indexes them:

- PostgreSQL: a generated tsvector column (title weight A, text weight B, the `simple`
  configuration: no stemming, no stop words) with a GIN index; ranked by ts_rank_cd, which also
  rewards words standing close together (a document number, a name).
- SQLite: an FTS5 table over the same rows (kept in step by triggers), ranked by bm25 with the
  title weighted four times the text.

Every query word must occur (AND). Of the matches, the CANDIDATES most recently published are
ranked (a common word costs the same however much has been published; the page says when older
matches were left out): items with the words side by side as typed first (a document number such as
校发〔2025〕12号, a full name), then by relevance, then newest first. The page's titles and snippets of
the text are highlighted here, in Python, the same way on both databases."""

import html
import logging
import re
from functools import cache

from django.db import connection
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from portal.models import SearchDocument
from portal.public import listed_items
from workflow.models import DisclosureItem

MAX_WORDS = 16
CANDIDATES = 1000  # the most recently published matches that are ranked (see Results)
SNIPPET_CHARS = 120
_HAS_WORD_CHAR = re.compile(r"\w")


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _words(tokens):
    return [t.strip().lower() for t in tokens if _HAS_WORD_CHAR.search(t)]


def index_words(text):
    """The words an item is found by, space-separated."""
    return " ".join(_words(_jieba().cut_for_search(text or "")))


def query_words(q):
    """The words of a query, in order, without repeats or punctuation."""
    words = []
    for word in _words(_jieba().cut(q or "")):
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def plain_text(body):
    return html.unescape(strip_tags(body or "")).strip()


def document(item):
    """The search index entry of a public item (unsaved)."""
    return SearchDocument(
        item_id=item.pk, title_words=index_words(item.title), body_words=index_words(plain_text(item.body)),
        published_at=item.published_at,
    )


def index_item(item):
    """Store (or refresh) the item's search words. Called whenever a public item is saved."""
    entry = document(item)
    SearchDocument.objects.update_or_create(
        item_id=item.pk, defaults={"title_words": entry.title_words, "body_words": entry.body_words, "published_at": entry.published_at},
    )


class Results:
    """The public items that contain every word of `q`, most relevant first: all of them, or only
    those of `within` (public items narrowed by category, department or year). Django's Paginator
    pages it.

    Only the CANDIDATES most recently published matches are ranked, so that a common word costs
    the same however much has been published: the search index's own index on the publication
    date finds them without reading every match. `more_than` says whether older matches were left out
    (the page says so and asks for more words or a filter). One SQL statement ranks the candidates;
    a page then loads its items and highlights them."""

    def __init__(self, q, within=None):
        self.words, self.within, self._ranked = query_words(q), within, None
        self.more_than = None  # CANDIDATES, when older matches were left out

    def _sql(self):
        """The statement and its parameters: the newest CANDIDATES + 1 matches (the extra one only
        tells that there are more), newest first, each with whether it holds the query's words side
        by side, as typed (a document number, a full name), and its relevance."""
        text = " ".join(self.words)
        narrowed, narrowed_params = "", []
        if self.within is not None:
            subquery, narrowed_params = self.within.order_by().values("pk").query.sql_with_params()
            narrowed = f" AND {{key}} IN ({subquery})"
        if connection.vendor == "postgresql":
            # Relevance of the newest candidates only: computed in the outer query, it costs the
            # same however many items match (a common pair of words matched 10,000 at 100k items:
            # 30-40 ms in the statement, 10-15 ms so).
            return (
                "SELECT s.item_id, s.vector @@ phraseto_tsquery('simple', %s), ts_rank_cd(s.vector, plainto_tsquery('simple', %s)) "
                "FROM (SELECT d.item_id, d.vector, d.published_at FROM portal_searchdocument d "
                f"WHERE d.vector @@ plainto_tsquery('simple', %s){narrowed.format(key='d.item_id')} "
                "ORDER BY d.published_at DESC, d.item_id DESC LIMIT %s) s ORDER BY s.published_at DESC, s.item_id DESC",
                [text, text, text, *narrowed_params, CANDIDATES + 1],
            )
        every_word = " ".join('"' + word.replace('"', '""') + '"' for word in self.words)
        phrase = '"' + text.replace('"', '""') + '"'
        return (
            "SELECT f.rowid, f.rowid IN (SELECT rowid FROM portal_search_fts WHERE portal_search_fts MATCH %s), "
            "-bm25(portal_search_fts, 4.0, 1.0) FROM portal_search_fts f JOIN portal_searchdocument d ON d.item_id = f.rowid "
            f"WHERE portal_search_fts MATCH %s{narrowed.format(key='f.rowid')} ORDER BY d.published_at DESC, f.rowid DESC LIMIT %s",
            [phrase, every_word, *narrowed_params, CANDIDATES + 1],
        )

    def ranked(self):
        """The ids of the ranked candidates: side by side as typed first, then by relevance, then
        newest first."""
        if self._ranked is None:
            rows = []
            if self.words:
                sql, params = self._sql()
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    rows = cursor.fetchall()
            if len(rows) > CANDIDATES:
                self.more_than, rows = CANDIDATES, rows[:CANDIDATES]
            # A stable sort: among equals, the newest (the rows' order) first.
            rows.sort(key=lambda row: (not row[1], -row[2]))
            self._ranked = [row[0] for row in rows]
        return self._ranked

    def count(self):
        return len(self.ranked())

    def __len__(self):
        return self.count()

    def __getitem__(self, window):
        if not isinstance(window, slice):
            return self[window:window + 1][0]
        return self._load(self.ranked()[window])

    def _load(self, ids):
        items = listed_items() if self.within is None else self.within
        found = {item.pk: item for item in items.filter(pk__in=ids)}
        bodies = dict(DisclosureItem.objects.filter(pk__in=ids).values_list("pk", "body"))
        page = [found[pk] for pk in ids if pk in found]
        for item in page:
            item.title_marked = highlight(item.title, self.words)
            item.snippet = snippet(plain_text(bodies.get(item.pk)), self.words)
        return page


def _pattern(words):
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)


def highlight(text, words):
    """`text` escaped, with every occurrence of the query's words in <mark>."""
    if not words:
        return mark_safe(html.escape(text))
    out, last = [], 0
    for found in _pattern(words).finditer(text):
        out.append(html.escape(text[last:found.start()]))
        out.append(f"<mark>{html.escape(found.group())}</mark>")
        last = found.end()
    out.append(html.escape(text[last:]))
    return mark_safe("".join(out))


def snippet(text, words, size=SNIPPET_CHARS):
    """About `size` characters of `text` around the first query word it contains, highlighted."""
    text = " ".join(text.split())
    if not text:
        return ""
    found = _pattern(words).search(text) if words else None
    start = max(0, found.start() - size // 3) if found else 0
    part = text[start:start + size]
    return mark_safe(("…" if start else "") + highlight(part, words) + ("…" if start + size < len(text) else ""))
