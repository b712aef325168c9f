"""Server-rendered SVG charts (pygal) for the dashboards and the annual report PDF.

Each function takes a title and [(label, value)] and returns a `Chart`:
    chart = charts.bar(_("Publications per month"), [("2026-01", 3), ("2026-02", 5)])
    chart.svg      # the <svg> element: no <style>, <script> or style="" (the pages' CSP forbids
                   # inline styles), colours and fonts as presentation attributes, so the same markup
                   # works inline in a page, as a file, and in WeasyPrint
    chart.summary  # one sentence carrying every number (the chart's accessible text)
    chart.rows     # the data, for a table beside the chart
    {% include "reports/_chart.html" with chart=chart %}  # figure + svg + caption + data table
"""

from dataclasses import dataclass, field

import pygal
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from lxml import etree

# Colour-blind-safe palette with enough contrast on white (the first is the site's red).
PALETTE = ("#a4151c", "#1f5fa8", "#2e7d32", "#b26a00", "#6a3d9a", "#00838f", "#5d4037", "#c2185b")
FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Chart:
    title: str
    rows: list  # [(label, value)]
    svg: str
    summary: str
    unit: str = ""
    kind: str = "bar"
    extra: dict = field(default_factory=dict)

    @property
    def empty(self):
        """Nothing to draw (no rows, or all zero): pages say so instead of showing a blank chart."""
        return not any(value for _label, value in self.rows)

    def __str__(self):
        return self.svg

    def __html__(self):
        return self.svg


def _number(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def summary(title, rows, unit=""):
    """'Title: A 3 items, B 5 items.' — every number in words a screen reader reads out."""
    if not rows:
        return _("%(title)s: no data.") % {"title": title}
    parts = [f"{label} {_number(value)}{unit}" for label, value in rows]
    return _("%(title)s: %(values)s.") % {"title": title, "values": _("; ").join(parts)}


def _style():
    return pygal.style.Style(
        background="#ffffff", plot_background="#ffffff", foreground="#212529", foreground_strong="#212529",
        foreground_subtle="#6c757d", colors=PALETTE, font_family=FONT, value_font_size=14,
        label_font_size=13, major_label_font_size=13, title_font_size=18, legend_font_size=13,
    )


def _config(**extra):
    config = dict(
        disable_xml_declaration=True, no_prefix=True, js=[], style=_style(), show_legend=False,
        print_values=True, width=600, height=340, margin=12, truncate_label=-1, explicit_size=False,
    )
    config.update(extra)
    return config


# The few looks pygal's stylesheet gave, as attributes (class → attributes).
_TEXT = {"title": {"font-size": "20", "font-weight": "bold", "text-anchor": "middle"},
         "value": {"font-size": "16", "text-anchor": "middle", "fill": "#212529"}}


def _clean(svg_text, title, text, colours, value_colour="#ffffff"):
    """pygal's SVG without <style>/<script>/style="" and tooltips, styled with attributes."""
    root = etree.fromstring(svg_text.encode())
    for element in root.iter(f"{SVG}style", f"{SVG}script"):
        element.getparent().remove(element)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # comments
            element.getparent().remove(element)
            continue
        classes = set((element.get("class") or "").split())
        element.attrib.pop("style", None)
        if "tooltip-overlay" in classes or "tooltip" in classes:
            element.getparent().remove(element)
            continue
        if "background" in classes:
            element.set("fill", "#ffffff")
        if "line" in classes:
            series = next((a for a in element.iterancestors() if "series" in (a.get("class") or "")), None)
            if series is not None:  # the data line itself, in its series' colour
                colour = next(c for c in series.get("class").split() if c.startswith("color-"))
                element.set("stroke", colours[int(colour[6:]) % len(colours)])
                element.set("stroke-width", "3")
            else:
                element.set("stroke", "#212529" if "axis" in classes else "#dee2e6")
            element.set("fill", "none")
        for cls in classes:
            if cls.startswith("color-"):
                element.set("fill", colours[int(cls[6:]) % len(colours)])
        if element.tag == f"{SVG}text":
            ancestors = " ".join(a.get("class") or "" for a in element.iterancestors())
            element.set("font-size", "15")
            element.set("fill", "#212529")
            if "axis y" in ancestors:
                element.set("text-anchor", "end")
            elif "axis x" in ancestors:
                element.set("text-anchor", "middle")
            for cls in classes & set(_TEXT):
                for name, value in _TEXT[cls].items():
                    element.set(name, value)
            if "text-overlay" in ancestors:  # values printed on the bars and slices
                element.set("fill", value_colour)
                element.set("font-weight", "bold")
    root.attrib.pop("id", None)
    root.set("class", "gk-chart-svg")
    root.set("font-family", FONT)
    root.set("role", "img")
    root.set("aria-label", text)
    for element in root.findall(f"{SVG}title"):
        root.remove(element)
    name = etree.Element(f"{SVG}title")
    name.text = title
    root.insert(0, name)
    return etree.tostring(root, encoding="unicode")


def _integer_scale(rows):
    """Counts get whole-number ticks (pygal would label 0.2, 0.4 … for small counts)."""
    values = [value for _label, value in rows]
    if not values or not all(isinstance(v, int) for v in values):
        return {}
    top = max(max(values), 1)
    step = max(1, -(-top // 8))
    return {"y_labels": list(range(0, top + step, step))}


def _render(chart_class, title, rows, unit, kind, labels=None, **config):
    if kind in ("bar", "hbar"):
        config = {**_integer_scale(rows), **config}
    # No title drawn inside: the page (or the report) prints it as text above the chart.
    chart = chart_class(title=None, **_config(**config))
    if kind == "donut":
        for label, value in rows:
            chart.add(str(label), [value])
    else:
        # pygal draws horizontal bars bottom-up: reversed, the first row is on top as in the table.
        drawn = list(reversed(rows)) if kind == "hbar" else rows
        names = list(labels) if labels else [label for label, _value in rows]
        chart.x_labels = [str(name) for name in (reversed(names) if kind == "hbar" else names)]
        chart.add(title, [value for _label, value in drawn])
    text = summary(title, rows, unit)
    svg = _clean(chart.render(is_unicode=True), title, text, PALETTE, "#212529" if kind == "line" else "#ffffff")
    return Chart(title=title, rows=list(rows), svg=mark_safe(svg), summary=text, unit=unit, kind=kind)


def bar(title, rows, *, unit="", labels=None):
    """Vertical bars: a value per period or category, in order (e.g. publications per month).
    `labels`: shorter axis labels than the rows' (the summary and table keep the full ones)."""
    return _render(pygal.Bar, title, rows, unit, "bar", labels=labels)


def hbar(title, rows, *, unit=""):
    """Horizontal bars: long labels such as department or category names."""
    height = max(160, 60 + 40 * len(rows))
    # pygal measures labels as Latin text: leave room for the widest Chinese label.
    widest = max((len(str(label)) for label, _value in rows), default=4)
    return _render(pygal.HorizontalBar, title, rows, unit, "hbar", height=height, margin_left=min(300, 15 * widest))


def line(title, rows, *, unit="", labels=None):
    """A line over time (e.g. the on-time rate per month, in %)."""
    return _render(pygal.Line, title, rows, unit, "line", labels=labels, show_dots=True, dots_size=4, range=(0, 100) if unit == "%" else None,
                   include_x_axis=True)


def donut(title, rows, *, unit=""):
    """Shares of a whole (e.g. requests by outcome), with a legend naming each part."""
    return _render(pygal.Pie, title, rows, unit, "donut", inner_radius=0.45, show_legend=True,
                   legend_at_bottom=True, legend_at_bottom_columns=2, height=360, legend_box_size=14)
