"""The monthly service-quality report printed as an A4 PDF, in Chinese or English, from the figures kept on
its row (`MonthlyReport.figures`, see charter/reports/monthly.py): the same figures print the same file
(reportlab's invariant mode: no creation date, no random document id).

Sections, numbered as a Chinese management report is (一、二、… in Chinese, 1. 2. … in English): the month
at a glance against the month before and the same month a year before, with the twelve months' cases; the
published commitments and whether they were kept; time limits met by kind and by service; the top
complaint causes; service quality and conduct; the corrective actions. Page numbers and the time generated
(in the organisation's time zone) are in every page's footer.
"""

import datetime as dt
import io
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from charter.common.pdf import cjk_font
from charter.reports.figures import DashboardFigures, Nps, Ratio, from_json

ONE_DECIMAL = Decimal("0.1")
BLUE = "#1f4e79"
LIGHT = "#dde7f2"
CHINESE_NUMERALS = "一二三四五六七八九十"
MAX_ROWS = 15  # rows of a breakdown table; the rest is summed up in one "other" line


# Numbers -------------------------------------------------------------------------------------------------


def _percent(data: dict[str, Any] | None) -> Decimal | None:
    if not data:
        return None
    return Ratio(part=int(data.get("part", 0)), whole=int(data.get("whole", 0))).percent


def _nps(data: dict[str, Any] | None) -> Decimal | None:
    return Nps(**data).score if data else None


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def _count(value: Any) -> Decimal | None:
    return None if value is None else Decimal(int(value))


# label, how to read the value from headline data, whether it is a share (compared in points)
Metric = tuple[Callable[[], str], Callable[[dict[str, Any]], Decimal | None], bool]


def _metrics() -> list[Metric]:
    return [
        (lambda: pgettext("case", "Cases received"), lambda d: _count(d.get("received")), False),
        (lambda: pgettext("case", "Cases resolved"), lambda d: _count(d.get("resolved")), False),
        (lambda: _("Time limits met (%)"), lambda d: _percent(d.get("sla")), True),
        (lambda: _("Complaints"), lambda d: _count(d.get("complaints")), False),
        (lambda: _("Satisfaction (CSAT, %)"), lambda d: _percent(d.get("csat")), True),
        (lambda: _("Net promoter score (NPS)"), lambda d: _nps(d.get("nps")), True),
        (lambda: _("Good ratings (%)"), lambda d: _percent(d.get("good_bad")), True),
        (lambda: _("Average QA score"), lambda d: _decimal(d.get("qa_average")), True),
        (lambda: _("Violations of the code"), lambda d: _count(d.get("violations")), False),
        (lambda: _("Training completed (%)"), lambda d: _percent(d.get("training")), True),
    ]


def _shown(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return str(value)


def _change(now: Decimal | None, before: Decimal | None, is_share: bool) -> str:
    """The change from `before` to `now`: in points for a share or score, in per cent for a count."""
    if now is None or before is None:
        return "—"
    if is_share:
        points = (now - before).quantize(ONE_DECIMAL, ROUND_HALF_UP)
        return _("%(sign)s%(points)s pt") % {"sign": "+" if points > 0 else "", "points": points}
    if before == 0:
        return "—"
    percent = ((now - before) * 100 / before).quantize(ONE_DECIMAL, ROUND_HALF_UP)
    return f"{'+' if percent > 0 else ''}{percent}%"


# Layout --------------------------------------------------------------------------------------------------


class _Printer:
    """Builds the report's flowables in the active language."""

    def __init__(self, figures: dict[str, Any], language: str) -> None:
        from reportlab.lib.colors import HexColor
        from reportlab.lib.styles import ParagraphStyle

        self.font = cjk_font()
        self.data = figures
        self.language = language
        self.english = language == "en"
        self.current: DashboardFigures = from_json(figures["current"][language])
        self.section = 0
        self.story: list[Any] = []
        self.title = ParagraphStyle(
            "title", fontName=self.font, fontSize=20, leading=28, alignment=1, textColor=HexColor(BLUE)
        )
        self.subtitle = ParagraphStyle("subtitle", fontName=self.font, fontSize=11, leading=16, alignment=1)
        self.heading = ParagraphStyle(
            "heading",
            fontName=self.font,
            fontSize=14,
            leading=20,
            spaceBefore=12,
            spaceAfter=6,
            textColor=HexColor(BLUE),
        )
        self.body = ParagraphStyle("body", fontName=self.font, fontSize=10, leading=15, wordWrap="CJK")
        self.cell = ParagraphStyle("cell", fontName=self.font, fontSize=8.5, leading=11, wordWrap="CJK")

    # building blocks

    def para(self, text: str, style: Any = None) -> None:
        from xml.sax.saxutils import escape

        from reportlab.platypus import Paragraph

        self.story.append(Paragraph(escape(text), style or self.body))

    def head(self, text: str) -> None:
        self.section += 1
        number = f"{self.section}. " if self.english else f"{CHINESE_NUMERALS[self.section - 1]}、"
        self.para(number + text, self.heading)

    def table(self, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
        from xml.sax.saxutils import escape

        from reportlab.lib.colors import HexColor
        from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

        if not rows:
            self.para(_("Nothing to report this month."))
            return
        cells = [[Paragraph(escape(str(value)), self.cell) for value in row] for row in [header, *rows]]
        table = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), HexColor(LIGHT)),
                    ("GRID", (0, 0), (-1, -1), 0.4, HexColor("#8a9bb0")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        self.story.append(table)
        self.story.append(Spacer(1, 6))

    def bars(self, labels: list[str], values: list[float], *, horizontal: bool, caption: str) -> None:
        from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
        from reportlab.graphics.shapes import Drawing, String
        from reportlab.lib.colors import HexColor

        if not values or not any(values):
            return
        height = 40 + 18 * len(values) if horizontal else 190
        drawing = Drawing(460, height)
        chart: Any = HorizontalBarChart() if horizontal else VerticalBarChart()
        chart.x, chart.y = (150, 10) if horizontal else (40, 40)
        chart.width, chart.height = (290, height - 30) if horizontal else (400, 130)
        chart.data = [list(reversed(values)) if horizontal else values]
        chart.categoryAxis.categoryNames = list(reversed(labels)) if horizontal else labels
        chart.categoryAxis.labels.fontName = self.font
        chart.categoryAxis.labels.fontSize = 7.5
        chart.valueAxis.labels.fontName = self.font
        chart.valueAxis.labels.fontSize = 7.5
        chart.valueAxis.valueMin = 0
        chart.valueAxis.forceZero = 1
        chart.bars[0].fillColor = HexColor(BLUE)
        chart.bars[0].strokeColor = None
        chart.barLabels.fontName = self.font
        chart.barLabels.fontSize = 7
        chart.barLabelFormat = "%d"
        chart.barLabels.nudge = 7
        if not horizontal:
            chart.categoryAxis.labels.angle = 0
        drawing.add(chart)
        drawing.add(String(0, height - 10, caption, fontName=self.font, fontSize=9))
        self.story.append(drawing)

    # sections

    def cover(self) -> None:
        from reportlab.platypus import Spacer

        month = dt.date.fromisoformat(self.data["month"])
        organisation = self.data.get("organisation", {}).get(self.language, "")
        self.para(organisation, self.subtitle)
        self.para(_("Monthly service quality report"), self.title)
        if self.english:
            self.para(month.strftime("%B %Y"), self.subtitle)
        else:
            self.para(f"{month.year}年{month.month}月", self.subtitle)
        self.story.append(Spacer(1, 8))

    def overview(self) -> None:
        self.head(pgettext("monthly report", "Overview"))
        now = self.data["current"][self.language]
        previous, year_before = self.data["previous"], self.data["year_before"]
        rows = []
        for label, read, is_share in _metrics():
            value = read(now)
            before, last_year = read(previous), read(year_before)
            rows.append(
                [
                    label(),
                    _shown(value),
                    _shown(before),
                    _change(value, before, is_share),
                    _shown(last_year),
                    _change(value, last_year, is_share),
                ]
            )
        header = [
            pgettext("monthly report", "Measure"),
            _("This month"),
            pgettext("monthly report", "Previous month"),
            _("Month on month"),
            _("Same month last year"),
            _("Year on year"),
        ]
        self.table(header, rows, [125, 55, 55, 85, 65, 85])
        summary = _(
            "%(received)s cases were received and %(resolved)s resolved this month; %(open)s are open now."
        ) % {
            "received": self.current.received,
            "resolved": self.current.resolved,
            "open": self.current.backlog_open,
        }
        self.para(summary)
        trend = self.current.trend
        self.bars(
            [f"{point.month.month}" if not self.english else point.month.strftime("%b") for point in trend],
            [float(point.received) for point in trend],
            horizontal=False,
            caption=pgettext("case", "Cases received in the last twelve months"),
        )

    def commitments(self) -> None:
        self.head(_("Published commitments and whether they were kept"))
        entries = self.data.get("commitments", [])
        rows = []
        suffix = "en" if self.english else "zh"
        for entry in entries:
            met, finished = int(entry["met"]), int(entry["finished"])
            share = Ratio(part=met, whole=finished).percent
            if not finished:
                verdict = _("No case this month")
            elif met == finished:
                verdict = _("Kept")
            else:
                verdict = _("Not always kept")
            rows.append(
                [
                    entry[f"service_{suffix}"],
                    entry[f"label_{suffix}"],
                    f"{met} / {finished}",
                    _shown(share),
                    verdict,
                ]
            )
        kept = sum(1 for entry in entries if entry["finished"] and entry["met"] == entry["finished"])
        measured = sum(1 for entry in entries if entry["finished"])
        self.para(
            _("%(kept)s of the %(measured)s commitments measured this month were kept every time.")
            % {"kept": kept, "measured": measured}
        )
        header = [
            pgettext("monthly report", "Service"),
            pgettext("monthly report", "Commitment"),
            _("Met / finished"),
            _("Kept (%)"),
            pgettext("monthly report", "Verdict"),
        ]
        self.table(header, rows, [110, 170, 70, 50, 70])

    def time_limits(self) -> None:
        self.head(_("Time limits met"))
        rows = [
            [
                row.label,
                f"{row.ratio.part} / {row.ratio.whole}" if row.ratio else "—",
                _shown(row.ratio.percent if row.ratio else None),
            ]
            for row in self.current.sla_by_kind
        ]
        self.table([_("Kind"), _("Met / finished"), _("Met (%)")], rows, [200, 120, 100])
        services = sorted(
            self.current.sla_by_service,
            key=lambda row: (
                row.ratio.percent if row.ratio and row.ratio.percent is not None else Decimal(101)
            ),
        )
        rows = [
            [
                row.label,
                f"{row.ratio.part} / {row.ratio.whole}" if row.ratio else "—",
                _shown(row.ratio.percent if row.ratio else None),
            ]
            for row in services[:MAX_ROWS]
        ]
        self.para(_("By service, lowest first:"))
        self.table(
            [pgettext("monthly report", "Service"), _("Met / finished"), _("Met (%)")], rows, [200, 120, 100]
        )

    def complaints(self) -> None:
        self.head(_("Top complaint causes"))
        self.para(_("%(count)s complaints were received this month.") % {"count": self.current.complaints})
        causes = sorted(self.current.complaints_by_root_cause, key=lambda row: -row.count)[:5]
        total = sum(row.count for row in self.current.complaints_by_root_cause) or 1
        rows = [[row.label, str(row.count), _shown(Ratio(row.count, total).percent)] for row in causes]
        self.table([_("Root cause"), _("Complaints"), _("Share (%)")], rows, [200, 100, 100])
        self.bars(
            [row.label for row in causes],
            [float(row.count) for row in causes],
            horizontal=True,
            caption=_("Complaints by root cause"),
        )
        categories = sorted(self.current.complaints_by_category, key=lambda row: -row.count)[:5]
        if categories:
            self.para(_("Most frequent categories:"))
            self.table(
                [_("Category"), _("Complaints")],
                [[row.label, str(row.count)] for row in categories],
                [300, 100],
            )

    def conduct(self) -> None:
        self.head(_("Service quality and conduct"))
        self.para(
            _(
                "%(reviews)s interactions were reviewed by QA (average score %(average)s); "
                "%(violations)s violations of the code were recorded."
            )
            % {
                "reviews": self.current.qa_reviews,
                "average": _shown(self.current.qa_average),
                "violations": self.current.violations,
            }
        )
        clauses = sorted(self.current.violations_by_clause, key=lambda row: -row.count)[:MAX_ROWS]
        self.table(
            [_("Clause"), _("Violations")], [[row.label, str(row.count)] for row in clauses], [300, 100]
        )

    def actions(self) -> None:
        self.head(_("Corrective actions"))
        actions = self.data.get("actions", {})
        rows = [
            [_("Opened this month"), str(actions.get("opened", 0))],
            [_("Closed this month"), str(actions.get("closed", 0))],
            [_("Active at the end of the month"), str(actions.get("active", 0))],
            [_("Of which overdue"), str(actions.get("overdue", 0))],
        ]
        self.table([_("Corrective actions"), pgettext("monthly report", "Count")], rows, [300, 100])


def _footer(font: str, text: str) -> Callable[[Any, Any], None]:
    def draw(canvas: Any, document: Any) -> None:
        from reportlab.lib.colors import HexColor
        from reportlab.lib.pagesizes import A4

        width, _height = A4
        canvas.saveState()
        canvas.setStrokeColor(HexColor(BLUE))
        canvas.line(50, 40, width - 50, 40)
        canvas.setFont(font, 8)
        canvas.drawString(50, 28, text)
        page = document.page
        canvas.drawRightString(width - 50, 28, _("Page %(page)s") % {"page": page})
        canvas.restoreState()

    return draw


def generated_at_text(figures: dict[str, Any]) -> str:
    """When the figures were computed, in the organisation's time zone, for the footer."""
    at = dt.datetime.fromisoformat(figures["computed_at"]).astimezone(ZoneInfo(str(settings.TIME_ZONE)))
    return _("Generated %(at)s (%(zone)s)") % {
        "at": at.strftime("%Y-%m-%d %H:%M"),
        "zone": settings.TIME_ZONE,
    }


def monthly_report_pdf(figures: dict[str, Any], language: str) -> bytes:
    """Print the report of `figures` (what `monthly_figures_compute` returned) in `language` ("zh-hans" or
    "en") and return the PDF's bytes; the same figures give the same bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    language = "en" if language.startswith("en") else "zh-hans"
    buffer = io.BytesIO()
    with translation.override(language):
        printer = _Printer(figures, language)
        printer.cover()
        printer.overview()
        printer.commitments()
        printer.time_limits()
        printer.complaints()
        printer.conduct()
        printer.actions()
        month = figures["month"][:7]
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=50,
            rightMargin=50,
            topMargin=50,
            bottomMargin=60,
            title=f"{_('Monthly service quality report')} {month}",
            author=figures.get("organisation", {}).get(language, ""),
            invariant=1,
        )
        footer = _footer(printer.font, generated_at_text(figures))
        document.build(printer.story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
