"""The server-drawn SVG charts every app uses: escaped, accessible, coloured by class, scaled by viewBox."""

import re

import pytest
from django.utils import translation

from charter.common import charts


def _line(**overrides: object) -> str:
    arguments: dict[str, object] = {
        "chart_id": "t",
        "title": "<b>趋势</b>",
        "description": "d",
        "x_labels": ["W1", "W2<", "W3", "W4"],
        "series": [charts.Series("CSAT & co", [50.0, None, 70.0, 80.0])],
        "y_range": (-100, 100),
        "y_ticks": (-100, 0, 100),
        "x_title": "周",
        "y_title": "%",
        "empty_text": "无",
    }
    arguments.update(overrides)
    return str(charts.line_chart(**arguments))  # type: ignore[arg-type]


def _stacked(bars: list[charts.StackedBar], **overrides: object) -> str:
    arguments: dict[str, object] = {
        "chart_id": "load",
        "title": "Open cases",
        "description": "Open cases per handler.",
        "segments": [
            charts.Segment("Breached", "bad"),
            charts.Segment("Near breach", "warn"),
            charts.Segment("On track", "primary"),
        ],
        "bars": bars,
        "empty_text": "No open cases.",
    }
    arguments.update(overrides)
    return str(charts.stacked_bar_chart(**arguments))  # type: ignore[arg-type]


def test_line_chart_escapes_labels_and_breaks_at_gaps() -> None:
    svg = _line()

    assert '<title id="t-title">&lt;b&gt;趋势&lt;/b&gt;</title>' in svg
    assert "W2&lt;" in svg and "CSAT &amp; co" in svg
    assert svg.count("<polyline") == 1  # W1 stands alone, W3-W4 joined
    assert svg.count("<circle") == 3


def test_charts_without_data_say_so() -> None:
    empty_line = _line(x_labels=["W1"], series=[charts.Series("CSAT", [None])], empty_text="本期没有回答。")
    empty_bars = charts.bar_chart(chart_id="b", title="t", description="d", bars=[], empty_text="<无>")
    empty_columns = charts.column_chart(
        chart_id="c", title="t", description="d", x_labels=["2025-01"], values=[None], empty_text="无"
    )
    zero_stack = _stacked([charts.StackedBar("li", [0, 0, 0])])

    assert str(empty_line) == '<p class="muted chart-empty">本期没有回答。</p>'
    assert str(empty_bars) == '<p class="muted chart-empty">&lt;无&gt;</p>'
    assert str(empty_columns) == '<p class="muted chart-empty">无</p>'
    assert zero_stack == '<p class="muted chart-empty">No open cases.</p>'


def test_bar_chart_draws_one_bar_per_value_and_shortens_long_labels() -> None:
    svg = str(
        charts.bar_chart(
            chart_id="b",
            title="按服务",
            description="d",
            bars=[
                charts.Bar("供水", 87.5, "n = 8"),
                charts.Bar("一个名字非常非常非常非常长的服务项目名称", 10.0),
                charts.Bar("<none>", None),
            ],
            empty_text="无",
        )
    )

    assert svg.count("<rect") == 2
    assert "87.5% · n = 8" in svg
    assert "一个名字非常非常非常非常长的服务项目名称</title>" in svg and "…" in svg
    assert "&lt;none&gt;" in svg


def test_bar_chart_of_counts_runs_to_a_round_number_above_the_largest() -> None:
    svg = str(
        charts.bar_chart(
            chart_id="b",
            title="By clause",
            description="d",
            bars=[charts.Bar("4.1 Courtesy", 7), charts.Bar("4.2 Response", 3)],
            domain=None,
            value_suffix="",
            empty_text="none",
        )
    )

    assert ">10</text>" in svg  # the axis ends at 10
    assert ">7</text>" in svg and ">3</text>" in svg  # the numbers are written, not only in tooltips


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1), (1, 1), (3, 5), (7, 10), (11, 20), (24, 50), (51, 100), (100, 100), (101, 200)],
)
def test_nice_ceiling(value: float, ceiling: float) -> None:
    assert charts.nice_ceiling(value) == ceiling


def test_column_chart_writes_each_value_above_its_column() -> None:
    with translation.override("en"):
        svg = str(
            charts.column_chart(
                chart_id="m",
                title="Violations by month",
                description="Violations recorded each month.",
                x_labels=["2025-01", "2025-02", "2025-03"],
                values=[4, 0, 9],
                empty_text="none",
            )
        )

    assert svg.count("<rect") == 3
    assert "<title>2025-03: 9</title>" in svg
    assert re.search(r'class="chart-value">9</text>', svg)
    assert "2025-01: 4; 2025-02: 0; 2025-03: 9" in svg  # the <desc> lists the figures


def test_stacked_bars_split_each_total_and_write_the_numbers() -> None:
    bars = [charts.StackedBar("li.agent", [2, 3, 15]), charts.StackedBar("zhao<", [0, 0, 1])]
    with translation.override("en"):
        svg = _stacked(bars)
    with translation.override("zh-hans"):
        chinese = _stacked(bars)

    assert svg.count('class="chart-fill-bad"') == 2  # one segment and its legend swatch
    assert svg.count('class="chart-fill-primary"') == 3  # two segments, one swatch
    assert "<title>li.agent · Near breach: 3</title>" in svg
    assert re.search(r'class="chart-on-fill">15</text>', svg)
    assert re.search(r'class="chart-value">20</text>', svg)  # the total after the bar
    assert "zhao&lt;" in svg
    assert "li.agent: 20 (Breached 2, Near breach 3, On track 15); zhao&lt;: 1 (On track 1)" in svg
    assert "li.agent：20（Breached 2，Near breach 3，On track 15）；zhao&lt;：1（On track 1）" in chinese


def test_the_description_lists_figures_in_the_readers_language() -> None:
    with translation.override("zh-hans"):
        svg = str(
            charts.bar_chart(
                chart_id="b",
                title="t",
                description="各条款的违规数。",
                bars=[charts.Bar("4.1", 2), charts.Bar("4.2", 1)],
                domain=None,
                value_suffix="",
                empty_text="无",
            )
        )

    assert "各条款的违规数。 4.1：2；4.2：1" in svg


@pytest.mark.parametrize(
    "svg",
    [
        _line(),
        str(
            charts.bar_chart(
                chart_id="b", title="t", description="d", bars=[charts.Bar("a", 1)], empty_text=""
            )
        ),
        str(
            charts.column_chart(
                chart_id="c", title="t", description="d", x_labels=["a"], values=[1], empty_text=""
            )
        ),
        _stacked([charts.StackedBar("a", [1, 2, 3])]),
    ],
    ids=["line", "bar", "column", "stacked"],
)
def test_every_chart_is_accessible_scalable_and_coloured_by_class(svg: str) -> None:
    assert 'role="img"' in svg
    assert re.search(r'aria-labelledby="(\w+)-title \1-desc"', svg)
    assert re.search(r'<title id="\w+-title">', svg) and re.search(r'<desc id="\w+-desc">', svg)
    assert re.search(r'viewBox="0 0 480 [\d.]+" width="100%"', svg)
    assert "style" not in svg
    assert not re.search(r'\s(fill|stroke)="#', svg)  # colours come from charter.css classes
    assert "chart-fill-" in svg


def test_a_caption_wraps_the_chart_in_a_figure_even_without_data() -> None:
    with_data = _stacked([charts.StackedBar("a", [1, 0, 0])], caption=True)
    without = _stacked([], caption=True)

    assert with_data.startswith('<figure class="chart-figure" data-testid="chart-load">')
    assert '<figcaption class="chart-caption">Open cases</figcaption><svg' in with_data
    assert without == (
        '<figure class="chart-figure" data-testid="chart-load"><figcaption class="chart-caption">Open cases'
        '</figcaption><p class="muted chart-empty">No open cases.</p></figure>'
    )


def test_every_tone_the_charts_use_has_a_rule_in_the_stylesheet() -> None:
    from pathlib import Path

    css = (Path(charts.__file__).parents[1] / "static" / "charter" / "charter.css").read_text()

    for tone in charts.TONES:
        assert f".chart-fill-{tone} {{" in css and f".chart-stroke-{tone} {{" in css
    for name in ("chart-grid", "chart-axis", "chart-on-fill", "chart-muted"):
        assert f".{name} {{" in css


def test_a_count_axis_has_whole_ticks_and_zero_columns_carry_no_label() -> None:
    svg = str(
        charts.column_chart(
            chart_id="m", title="t", description="d", x_labels=["a", "b"], values=[0, 1], empty_text=""
        )
    )
    scores = str(
        charts.column_chart(
            chart_id="s",
            title="t",
            description="d",
            x_labels=["a"],
            values=[0],
            domain=(0, 100),
            empty_text="",
        )
    )

    assert ">0.5<" not in svg and 'font-size="11">1</text>' in svg
    assert svg.count('class="chart-value"') == 1  # the 1, not the 0
    assert 'class="chart-value">0</text>' in scores  # a score of zero is a value


def test_a_flat_domain_decimal_values_and_a_missing_number_still_draw() -> None:
    from decimal import Decimal

    flat = charts.column_chart(
        chart_id="c", title="t", description="d", x_labels=["一月"], values=[5], domain=(5, 5), empty_text="-"
    )
    money = charts.bar_chart(
        chart_id="m",
        title="t",
        description="d",
        bars=[charts.Bar("退款", Decimal("12.50")), charts.Bar("补偿", Decimal("0"))],  # type: ignore[arg-type]
        domain=None,
        value_suffix="",
        empty_text="-",
    )
    odd = charts.bar_chart(
        chart_id="n",
        title="t",
        description="d",
        bars=[charts.Bar("a", float("nan")), charts.Bar("b", 3.0)],
        domain=None,
        empty_text="-",
    )

    assert "<svg" in flat and "<svg" in money and "<svg" in odd
    assert charts.nice_ceiling(float("nan")) == 1 and charts.nice_ceiling(Decimal("37")) == 50  # type: ignore[arg-type]
