"""The committed transliteration table is what training on the ar2en train split gives."""

from __future__ import annotations

import pytest

from tests.shared import shared_path

pytestmark = pytest.mark.shared


def test_the_committed_table_is_reproduced_by_training_on_the_train_split() -> None:
    shared_path("watchlists", "matching", "google_transliteration_ar2en", "ar2en-train.txt")
    from benchmarks.engine import train_transliteration as training

    pairs = training.training_pairs()
    assert len(pairs) > 10_000
    assert training.render(training.train(pairs), len(pairs)) == training.TARGET.read_text(encoding="utf-8")
