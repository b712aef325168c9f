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

Every query word must occur (AND). Items with the words side by side as typed come first (a
document number such as 校发〔2025〕12号, a full name), then by relevance, then newest first. The page's
titles and snippets of the text are highlighted here, in Python, the same way on both databases."""

import html
import logging
import re
from functools import cache

from django.db import connection
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from portal.models import SearchDocument
from workflow.models import DisclosureItem

MAX_WORDS = 16
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


def index_item(item):
    """Store (or refresh) the item's search words. Called whenever a public item is saved."""
    SearchDocument.objects.update_or_create(
        item_id=item.pk, defaults={"title_words": index_words(item.title), "body_words": index_words(plain_text(item.body))},
    )


class Results:
    """The public items of `items` (a filtered query) that contain every word of `q`, most relevant
    first. Django's Paginator pages it: count() and each slice are one SQL statement that the search
    index answers; the slice then loads its items and highlights them."""

    def __init__(self, items, q):
        self.items, self.words = items, query_words(q)

    def _sql(self):
        """(table, key column, WHERE, ORDER BY, WHERE params, ORDER BY params). Items holding the
        query's words side by side, as typed (a document number, a full name), come first."""
        subquery, params = self.items.order_by().values("pk").query.sql_with_params()
        text = " ".join(self.words)
        if connection.vendor == "postgresql":
            return (
                "portal_searchdocument d",
                "d.item_id",
                f"d.vector @@ plainto_tsquery('simple', %s) AND d.item_id IN ({subquery})",
                "(d.vector @@ phraseto_tsquery('simple', %s)) DESC, ts_rank_cd(d.vector, plainto_tsquery('simple', %s)) DESC",
                [text, *params],
                [text, text],
            )
        every_word = " ".join('"' + word.replace('"', '""') + '"' for word in self.words)
        phrase = '"' + text.replace('"', '""') + '"'
        return (
            "portal_search_fts f",
            "f.rowid",
            f"portal_search_fts MATCH %s AND f.rowid IN ({subquery})",
            "(f.rowid IN (SELECT rowid FROM portal_search_fts WHERE portal_search_fts MATCH %s)) DESC, bm25(portal_search_fts, 4.0, 1.0)",
            [every_word, *params],
            [phrase],
        )

    def count(self):
        if not self.words:
            return 0
        table, _key, where, _order, params, _ = self._sql()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", params)
            return cursor.fetchone()[0]

    def __len__(self):
        return self.count()

    def __getitem__(self, window):
        if not isinstance(window, slice) or not self.words:
            return [] if isinstance(window, slice) else self[window:window + 1][0]
        start, stop = window.start or 0, window.stop
        table, key, where, order, params, order_params = self._sql()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {key} FROM {table} JOIN workflow_disclosureitem i ON i.id = {key} WHERE {where} "
                f"ORDER BY {order}, i.published_at DESC, i.id DESC LIMIT %s OFFSET %s",
                [*params, *order_params, stop - start, start],
            )
            ids = [row[0] for row in cursor.fetchall()]
        return self._load(ids)

    def _load(self, ids):
        found = {item.pk: item for item in self.items.filter(pk__in=ids)}
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
