from screening.engine import Query, build_index, load_index, save_index, screen
from screening.engine.index import cache_path, deletes, load_or_build
from tests.screening.engine.conftest import watchlist


def test_an_index_saved_to_disk_loads_back_only_for_the_same_list_versions(tmp_path):
    index = build_index(watchlist()[:9], versions={"ofac": "1", "un": "2"})
    path = save_index(index, tmp_path)
    assert path == cache_path(tmp_path, {"un": "2", "ofac": "1"})
    loaded = load_index(tmp_path, {"un": "2", "ofac": "1"})
    assert loaded is not None
    assert screen(loaded, Query(name="Vladimir Putin")) == screen(index, Query(name="Vladimir Putin"))
    assert load_index(tmp_path, {"ofac": "1", "un": "3"}) is None


def test_a_corrupt_or_foreign_cache_file_is_ignored(tmp_path):
    path = cache_path(tmp_path, {"ofac": "1"})
    path.write_bytes(b"not an index")
    assert load_index(tmp_path, {"ofac": "1"}) is None


def test_load_or_build_builds_once_then_reads_the_cache(tmp_path):
    calls = []

    def entries():
        calls.append(1)
        return watchlist()[:9]

    first = load_or_build(tmp_path, {"ofac": "1"}, entries_factory=entries)
    second = load_or_build(tmp_path, {"ofac": "1"}, entries_factory=entries)
    assert len(calls) == 1
    assert second.entity_ids == first.entity_ids


def test_typo_keys_come_in_position_order_so_candidate_ties_break_alike_in_every_process():
    # A set would order them by string hash, which differs per process (PYTHONHASHSEED).
    assert deletes("abcdefgh") == [
        "abcdefgh",
        "bcdefgh",
        "acdefgh",
        "abdefgh",
        "abcefgh",
        "abcdfgh",
        "abcdegh",
        "abcdefh",
        "abcdefg",
    ]
    assert deletes("abba") == ["abba", "bba", "aba", "abb"]


def test_entries_with_the_same_countries_share_one_set_also_after_loading_from_disk(tmp_path):
    # A million entries without countries must not hold a million empty sets (400 MiB).
    index = build_index(watchlist(), versions={"ofac": "1"})
    save_index(index, tmp_path)
    loaded = load_index(tmp_path, {"ofac": "1"})
    assert loaded is not None
    for one in (index, loaded):
        sets = one.entity_countries + one.entity_identifiers
        assert sum(1 for s in sets if not s) > 1
        assert len({id(s) for s in sets if not s}) == 1
    assert loaded.entity_countries == index.entity_countries
