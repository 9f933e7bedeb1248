"""The SVG chart helper draws what it is given, escapes every text, and needs no script or style attribute."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from monitoring.dashboard.charts import PALETTE, WARNING, Series, bar_chart, line_chart, nice_max

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own markup, parsed to check it is well formed


def bars(root: ET.Element) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]


def test_bar_heights_are_proportional_to_the_values_on_a_round_axis():
    root = parse(bar_chart("Alerts", ["a", "b", "c"], [Series("raised", [2, 4, 8])], unit="alerts"))
    heights = [float(rect.get("height")) for rect in bars(root)]
    assert heights[1] == pytest.approx(2 * heights[0]) and heights[2] == pytest.approx(4 * heights[0])
    axis = [text.text for text in root.iter(f"{SVG}text")]
    assert {"0", "2", "4", "6", "8"} <= set(axis)  # the axis tops out at 8: four steps of 2


def test_grouped_bars_take_one_colour_per_series_and_skip_missing_values():
    root = parse(bar_chart("Alerts", ["a", "b"], [Series("raised", [3, 5]), Series("cleared", [1, None])]))
    drawn = bars(root)
    assert len(drawn) == 3
    assert [rect.get("fill") for rect in drawn] == [PALETTE[0], PALETTE[1], PALETTE[0]]
    titles = [rect.find(f"{SVG}title").text for rect in drawn]
    assert titles == ["a · raised: 3", "a · cleared: 1", "b · raised: 5"]
    legend = [text.text for text in root.iter(f"{SVG}text")]
    assert "raised" in legend and "cleared" in legend


def test_markers_and_highlighted_bars_show_a_target_and_what_is_past_it():
    markup = bar_chart(
        "Lists",
        ["un", "ofac"],
        [Series("age", [2, 20])],
        unit="hours",
        markers=[6, 6],
        marker_label="sync interval",
        highlight=[False, True],
        highlight_label="stale",
    )
    root = parse(markup)
    assert [rect.get("fill") for rect in bars(root)] == [PALETTE[0], WARNING]
    ticks = [line for line in root.iter(f"{SVG}line") if line.find(f"{SVG}title") is not None]
    assert [tick.find(f"{SVG}title").text for tick in ticks] == ["un · sync interval: 6", "ofac · sync interval: 6"]
    assert ticks[0].get("y1") == ticks[1].get("y1")
    assert "stale" in markup and "sync interval" in markup


def test_every_label_is_escaped():
    markup = bar_chart('<script>alert("x")</script>', ["<b>&"], [Series("a<b", [1])])
    assert "<script>" not in markup and "<b>" not in markup
    root = parse(markup)
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script>'


def test_charts_carry_a_title_and_an_image_role_and_no_script_or_style():
    for markup in (
        bar_chart("t", ["a"], [Series("s", [1])], markers=[2], marker_label="m", highlight=[True]),
        line_chart("t", ["a", "b"], [Series("p50", [1, 2]), Series("p95", [2, 3])], unit="ms"),
    ):
        root = parse(markup)
        assert root.get("role") == "img" and root.find(f"{SVG}title").text == "t"
        assert "style=" not in markup and "<script" not in markup and "on" + "load" not in markup


def test_a_line_chart_breaks_its_line_where_a_value_is_missing():
    root = parse(line_chart("Latency", ["1", "2", "3", "4", "5"], [Series("p50", [1, 2, None, 3, 4])], unit="ms"))
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 2 and all(len(line.get("points").split()) == 2 for line in lines)
    assert len(list(root.iter(f"{SVG}circle"))) == 4


def test_no_data_draws_a_message_instead_of_an_empty_axis():
    for markup in (bar_chart("t", [], []), line_chart("t", ["a"], [Series("p50", [None])])):
        assert "No data yet" in markup
        parse(markup)


def test_zero_values_still_draw_the_axis():
    markup = bar_chart("Cases", ["0-12 h", "12-24 h"], [Series("open", [0, 0])])
    assert "No data yet" not in markup
    assert [float(rect.get("height")) for rect in bars(parse(markup))] == [0.0, 0.0]


def test_a_series_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        bar_chart("t", ["a", "b", "c"], [Series("s", [1, 2])])
    with pytest.raises(ValueError, match="one marker per category"):
        bar_chart("t", ["a"], [Series("s", [1])], markers=[1, 2])


def test_long_category_axes_label_every_nth_category_only():
    days = [f"11-{d:02d}" for d in range(1, 31)]
    root = parse(bar_chart("t", days, [Series("raised", list(range(30)))]))
    labels = [text.text for text in root.iter(f"{SVG}text") if text.text in days]
    assert 8 <= len(labels) <= 12 and labels[0] == "11-01"


@pytest.mark.parametrize(
    ("value", "integers", "expected"),
    [
        (0, False, 1.0),
        (0.7, False, 0.8),
        (3, True, 4),
        (5, True, 8),
        (12, True, 20),
        (31, False, 40),
        (100, False, 100),
    ],
)
def test_axis_tops_are_round(value, integers, expected):
    assert nice_max(value, integers=integers) == pytest.approx(expected)


def test_labels_too_wide_for_their_slots_are_slanted_and_the_chart_grows_to_hold_them():
    names = [f"demo_source_number_{i}" for i in range(9)]
    root = parse(bar_chart("Lists", names, [Series("age", [1] * 9)]))
    labels = [text for text in root.iter(f"{SVG}text") if (text.text or "").startswith("demo_source")]
    assert len(labels) == 9 and all(label.get("transform", "").startswith("rotate(-35") for label in labels)
    assert labels[0].text == "demo_source_number"  # cut at 18 characters
    assert root.get("viewBox") == "0 0 640 304"
    short = parse(bar_chart("Lists", ["un", "eu"], [Series("age", [1, 2])]))
    assert short.get("viewBox") == "0 0 640 260"
    assert not any(text.get("transform") for text in short.iter(f"{SVG}text"))
