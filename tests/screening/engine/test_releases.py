"""The registry of runnable algorithm versions, kinds of names, and comparing two results (no database)."""

from __future__ import annotations

import pytest

from screening.engine import ALGORITHM_NAME, ALGORITHM_VERSION, Query, Thresholds, screen
from screening.engine import releases as registry


def test_the_installed_algorithm_is_runnable_and_listed_first():
    installed = registry.runnable(ALGORITHM_NAME, ALGORITHM_VERSION)
    assert installed is registry.installed()
    assert registry.runnable_versions()[0] is installed
    assert installed.index_family == f"{ALGORITHM_NAME}/{ALGORITHM_VERSION}"


def test_an_unknown_version_is_not_runnable_and_the_error_names_the_runnable_ones():
    assert not registry.is_runnable(ALGORITHM_NAME, "0.0.1")
    with pytest.raises(registry.UnknownAlgorithm, match=ALGORITHM_VERSION):
        registry.runnable(ALGORITHM_NAME, "0.0.1")


def test_a_previous_version_can_be_registered_beside_the_installed_one_and_stamps_its_matches(index):
    def strict_screen(index, query, **kwargs):  # a scoring-only variant: same index, stricter
        kwargs["thresholds"] = Thresholds(default=0.99)
        return screen(index, query, **kwargs)

    legacy = registry.RunnableAlgorithm(
        name=ALGORITHM_NAME, version="0.9.0", screen=strict_screen, index_family=registry.installed().index_family
    )
    registry.register(legacy)
    try:
        assert registry.runnable(ALGORITHM_NAME, "0.9.0") is legacy
        with pytest.raises(ValueError, match="already registered"):
            registry.register(legacy)
        query = Query(name="Vladimir Putin", schema="Person")
        relaxed = registry.installed().run(index, query, threshold=None, thresholds=Thresholds(), sources=None, limit=5)
        strict = legacy.run(index, query, threshold=None, thresholds=Thresholds(), sources=None, limit=5)
        assert [m.entity for m in relaxed] == ["ofac:35096"]  # scores about 0.90
        assert strict == []
        george = legacy.run(
            index, Query(name="George Habbash"), threshold=0.5, thresholds=Thresholds(), sources=None, limit=5
        )
        assert george and {m.algorithm_version for m in george} == {"0.9.0"}
        assert {m.algorithm_version for m in relaxed} == {ALGORITHM_VERSION}
    finally:
        registry.unregister(ALGORITHM_NAME, "0.9.0")
    assert not registry.is_runnable(ALGORITHM_NAME, "0.9.0")


def test_the_installed_version_cannot_be_unregistered():
    with pytest.raises(ValueError):
        registry.unregister(ALGORITHM_NAME, ALGORITHM_VERSION)


@pytest.mark.parametrize(
    ("name", "script"),
    [
        ("Vladimir Putin", "Latin"),
        ("José Álvarez", "Latin"),
        ("Владимир Путин", "Cyrillic"),
        ("أسامة بن لادن", "Arabic"),
        ("习近平", "CJK"),
        ("ジョーンズ", "CJK"),  # the long-vowel mark is Japanese too, not another script
        ("김정은", "Korean"),
        ("Ψάρρας", "Greek"),
        ("Vladimir Путин", "Mixed"),
        ("007", "Other"),
    ],
)
def test_the_script_of_a_name_is_its_writing_system(name, script):
    assert registry.name_script(name) == script


def test_a_name_is_single_or_multi_word():
    assert registry.name_shape("Madonna") == "single"
    assert registry.name_shape("习近平") == "single"
    assert registry.name_shape("Osama  bin Laden") == "multi"


def test_comparing_two_results_lists_alerts_gained_lost_and_rescored():
    live = [
        {"entity": "un:1", "source": "un", "schema": "Person", "score": 0.9},
        {"entity": "ofac:2", "source": "ofac", "schema": "Person", "score": 0.85},
    ]
    shadow = [
        {"entity": "un:1", "source": "un", "schema": "Person", "score": 0.93},
        {"entity": "uk:3", "source": "uk", "schema": "Person", "score": 0.81},
    ]
    comparison = registry.compare_results(live, shadow)
    assert [a.entity for a in comparison.gained] == ["uk:3"]
    assert [a.entity for a in comparison.lost] == ["ofac:2"]
    assert comparison.changed == ({"entity": "un:1", "source": "un", "live": 0.9, "shadow": 0.93, "delta": 0.03},)
    assert not comparison.identical
    assert registry.compare_results(live, live).identical
