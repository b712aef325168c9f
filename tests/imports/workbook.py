"""Seed-shaped history files for the import tests: a past academic year of publications across
the catalogue, departments and channels, with their post dates and links; and the figures the
annual report of that year must give back."""

import datetime
import random
from collections import Counter

from openpyxl import Workbook

from imports.template import ITEM_HEADERS, POST_HEADERS

D = datetime.date
# Catalogue entries of the demo school (entry → department code), across several categories.
ENTRIES = {"1": "dzb", "6": "dzb", "15": "zsb", "16": "zsb", "19": "cwc", "21": "cwc", "28": "rsc", "38": "xsc", "41": "jwc", "47": "kyc"}
CHANNELS = ["wechat", "news", "notice", "toutiao", "douyin", "media", "oa", "print"]


def year_of_history(n_items=300, *, start=D(2024, 9, 1), seed=2024):
    """(items rows, posts rows, expected) for one academic year from `start`."""
    rng = random.Random(seed)
    items, posts = [], []
    expected = {"items": n_items, "categories": Counter(), "channels": Counter(), "late": 0}
    for number in range(1, n_items + 1):
        entry = rng.choice(sorted(ENTRIES))
        produced = start + datetime.timedelta(days=rng.randrange(0, 300))
        late = number % 10 == 0  # every tenth item two months late, the others the day after
        published = produced + datetime.timedelta(days=60 if late else 1)
        expected["late"] += late
        expected["categories"][entry] += 1
        items.append([f"OLD-{number:05d}", int(entry), ENTRIES[entry], f"历史信息第{number}号", f"<p>第{number}号的正文。</p>",
                      "", f"校办〔2024〕{number}号" if number % 3 == 0 else "", produced.isoformat(), published.isoformat()])
        for code in rng.sample(CHANNELS, rng.randrange(0, 4)):
            posted = published + datetime.timedelta(days=rng.randrange(0, 3))
            if posted > start + datetime.timedelta(days=364):
                posted = published
            link = f"https://{code}.example.edu.cn/{number}" if code != "print" else ""
            posts.append([f"OLD-{number:05d}", "", code, posted.isoformat(), link, "校报第1期" if code == "print" else ""])
            expected["channels"][code] += 1
    return items, posts, expected


def write(path, items, posts, *, items_sheet="事项", posts_sheet="发布记录"):
    book = Workbook()
    sheet = book.active
    sheet.title = items_sheet
    sheet.append(ITEM_HEADERS)
    for row in items:
        sheet.append(row)
    if posts_sheet:
        other = book.create_sheet(posts_sheet)
        other.append(POST_HEADERS)
        for row in posts:
            other.append(row)
    book.save(path)
    return path
