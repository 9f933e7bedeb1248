"""The in-memory index: entities, their names as canonical tokens, and the lookup keys.

Layout is compact so that it pickles and loads fast and a million names fit in memory:
names and entities are parallel lists; token postings are one ``array('I')`` in CSR form
(offsets + data). Each vocabulary token is reachable through four keys: itself, its spelling
skeleton, the single-deletion neighbourhood of the skeleton (typos), its consonant outline
(abjad transliterations) and its metaphone code.
"""

from __future__ import annotations

import gc
import hashlib
import math
import os
import pickle
import re
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screening.engine.model import ALGORITHM_NAME, ALGORITHM_VERSION
from screening.engine.normalise import (
    canonical_tokens,
    consonants,
    is_legal_form,
    is_particle,
    phonetic,
    skeleton,
)
from screening.lists.record import Entry

_PICKLE_MAGIC = b"TILLIT-INDEX\n"
# Part of the disk cache key: raise it when the pickled layout changes, so old caches are rebuilt.
# 2: shared country and identifier sets.
INDEX_FORMAT = 2
_IDENT = re.compile(r"[^0-9A-Z]")
_SEPARATOR = "\x1f"  # ASCII unit separator: never part of a name (control characters are refused)
_PACKED = ("entity_ids", "name_display", "name_tokens", "vocab_tokens")
NAME_KIND_CODES = {"primary": 0, "aka": 1, "fka": 2, "weak_aka": 3, "original_script": 4}
MIN_DELETE_LENGTH = 4
_UNKNOWN_WEIGHTS = 50_000
# Words of kind rather than legal form ("Holding", "Group", "Foundation"): they describe the business.
DESCRIPTIVE_FORMS = frozenset({"~grp", "~fdn", "~ent", "~coop"})


def deletes(key: str) -> list[str]:
    """The key and every string one deletion away from it (SymSpell-style typo keys)."""
    if len(key) < MIN_DELETE_LENGTH:
        return [key]
    # dict, not set: the order must not depend on string hashing, or candidate ties would be
    # broken differently in every process.
    return [key, *dict.fromkeys(key[:i] + key[i + 1 :] for i in range(len(key)))]


def normalise_identifier(number: str) -> str:
    """Identifier numbers compare on letters and digits only, upper case."""
    return _IDENT.sub("", number.upper())


def parse_birth(value: str | None, year_from: int | None, year_to: int | None) -> tuple[int, int, int, int] | None:
    """A listed birth date as (year_from, year_to, month or 0, day or 0); None when unusable."""
    if value:
        parts = value.split("-")
        try:
            year = int(parts[0])
            month = int(parts[1]) if len(parts) > 1 else 0
            day = int(parts[2]) if len(parts) > 2 else 0
        except ValueError:
            return None
        return year, year, month, day
    if year_from or year_to:
        low = year_from or year_to
        high = year_to or year_from
        assert low is not None and high is not None
        return low, high, 0, 0
    return None


@dataclass
class Index:
    """Everything ``screen`` needs, built once per set of list versions and then read-only."""

    versions: dict[str, str] = field(default_factory=dict)
    # entities (parallel lists)
    entity_ids: list[str] = field(default_factory=list)
    entity_source: list[str] = field(default_factory=list)
    entity_schema: list[str] = field(default_factory=list)
    entity_topics: list[tuple[str, ...]] = field(default_factory=list)
    entity_hash: bytearray = field(default_factory=bytearray)  # 32 bytes of SHA-256 per entity
    entity_births: list[tuple[tuple[int, int, int, int], ...]] = field(default_factory=list)
    entity_countries: list[frozenset[str]] = field(default_factory=list)
    entity_identifiers: list[frozenset[tuple[str, str]]] = field(default_factory=list)
    entity_gender: list[str | None] = field(default_factory=list)
    # names (parallel lists)
    name_entity: array = field(default_factory=lambda: array("I"))
    name_kind: array = field(default_factory=lambda: array("B"))
    name_display: list[str] = field(default_factory=list)
    name_tokens: list[str] = field(default_factory=list)  # canonical tokens joined by spaces
    # vocabulary and postings
    vocab: dict[str, int] = field(default_factory=dict)
    vocab_tokens: list[str] = field(default_factory=list)
    vocab_df: array = field(default_factory=lambda: array("I"))
    post_offsets: array = field(default_factory=lambda: array("I"))
    post_data: array = field(default_factory=lambda: array("I"))
    # lookup keys -> vocabulary ids
    skeleton_keys: dict[str, tuple[int, ...]] = field(default_factory=dict)
    delete_keys: dict[str, tuple[int, ...]] = field(default_factory=dict)
    consonant_keys: dict[str, tuple[int, ...]] = field(default_factory=dict)
    phonetic_keys: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # derived, not pickled
    _weights: list[float] = field(default_factory=list, repr=False)
    _token_weights: TokenWeights = field(default_factory=lambda: TokenWeights([], [], 1), repr=False)
    _expansion_cache: dict[str, Any] = field(default_factory=dict, repr=False)
    _term_cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # ----------------------------------------------------------------- derived data
    def finalise(self) -> None:
        """Compute token weights (rare tokens weigh more) and reset caches."""
        names = max(len(self.name_display), 1)
        self._weights = [token_weight(tok, df, names) for tok, df in zip(self.vocab_tokens, self.vocab_df, strict=True)]
        self._token_weights = TokenWeights(self.vocab_tokens, self._weights, names)
        self._expansion_cache = {}
        self._term_cache = {}

    @property
    def size(self) -> int:
        return len(self.entity_ids)

    def content_hash(self, entity: int) -> str:
        """The entry's content hash (hex), as ``Entry.content_hash()`` gives it."""
        return self.entity_hash[entity * 32 : entity * 32 + 32].hex()

    def postings(self, vocab_id: int) -> array:
        """Name ids that contain the vocabulary token."""
        return self.post_data[self.post_offsets[vocab_id] : self.post_offsets[vocab_id + 1]]

    def posting_count(self, vocab_id: int) -> int:
        return self.post_offsets[vocab_id + 1] - self.post_offsets[vocab_id]

    def weight(self, token: str) -> float:
        """Weight of a token: its inverse document frequency, or the rarest weight when unknown."""
        return self._token_weights[token]

    @property
    def weight_lookup(self) -> Callable[[str], float]:
        """``weight`` as a dictionary lookup (a C call: the name comparison asks for weights a lot)."""
        return self._token_weights.__getitem__

    # ----------------------------------------------------------------- persistence
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_weights", None)
        state.pop("_token_weights", None)
        state.pop("_expansion_cache", None)
        state.pop("_term_cache", None)
        # Millions of small strings make unpickling slow and its memo huge: store each list of
        # strings as one string and split it again on load.
        for name in _PACKED:
            values = state[name]
            if not any(_SEPARATOR in value for value in values):
                state[name] = (_SEPARATOR, _SEPARATOR.join(values), len(values))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name in _PACKED:
            value = state[name]
            if isinstance(value, tuple):
                separator, joined, count = value
                state[name] = joined.split(separator) if count else []
        self.__dict__.update(state)
        self.finalise()


class TokenWeights(dict[str, float]):
    """Vocabulary token -> weight; a token the index has never seen weighs as a token seen once."""

    __slots__ = ("names", "room")

    def __init__(self, tokens: list[str], weights: list[float], names: int) -> None:
        super().__init__(zip(tokens, weights, strict=True))
        self.names = names
        self.room = len(tokens) + _UNKNOWN_WEIGHTS  # unknown (query) tokens remembered at most

    def __missing__(self, token: str) -> float:
        weight = token_weight(token, 1, self.names)
        if len(self) < self.room:
            self[token] = weight
        return weight


def token_weight(token: str, df: int, names: int) -> float:
    """Inverse document frequency; particles and legal forms carry almost no identity."""
    if is_legal_form(token):
        return 2.0 if token in DESCRIPTIVE_FORMS else 0.6
    if is_particle(token):
        return 0.8
    weight = math.log(1.0 + names / max(df, 1))
    if len(token) == 1:
        weight = min(weight, 2.0)
    return max(weight, 1.0)


def _identifier_set(entry: Entry) -> frozenset[tuple[str, str]]:
    out = set()
    for identifier in entry.identifiers:
        number = normalise_identifier(identifier.number)
        if len(number) >= 4:
            out.add((identifier.type.casefold().strip(), number))
    return frozenset(out)


def build_index(entries: Iterable[tuple[str, Entry]], *, versions: Mapping[str, str] | None = None) -> Index:
    """Index (source code, Entry) pairs; entity id is "<source code>:<ref>"."""
    index = Index(versions=dict(versions or {}))
    vocab = index.vocab
    postings: list[list[int]] = []
    # One object per distinct set (most are empty or one country): a million empty frozensets
    # would take 400 MiB, and pickle keeps the sharing.
    shared: dict[frozenset[Any], frozenset[Any]] = {}
    for source, entry in entries:
        entity = len(index.entity_ids)
        index.entity_ids.append(f"{source}:{entry.ref}")
        index.entity_source.append(source)
        index.entity_schema.append(entry.schema)
        index.entity_topics.append(tuple(entry.topics))
        index.entity_hash += bytes.fromhex(entry.content_hash())
        births = (parse_birth(b.value, b.year_from, b.year_to) for b in entry.birth_dates)
        index.entity_births.append(tuple(b for b in births if b))
        countries = frozenset(c.lower() for c in (*entry.nationalities, *entry.countries) if c)
        index.entity_countries.append(shared.setdefault(countries, countries))
        identifiers = _identifier_set(entry)
        index.entity_identifiers.append(shared.setdefault(identifiers, identifiers))
        index.entity_gender.append(entry.gender)
        seen: set[tuple[str, ...]] = set()
        for name in entry.names:
            tokens = canonical_tokens(name.full, entry.schema)
            if not tokens or tokens in seen:
                continue
            seen.add(tokens)
            name_id = len(index.name_display)
            index.name_entity.append(entity)
            index.name_kind.append(NAME_KIND_CODES.get(name.kind, 1))
            index.name_display.append(name.full)
            index.name_tokens.append(" ".join(tokens))
            for token in tokens:
                vocab_id = vocab.get(token)
                if vocab_id is None:
                    vocab_id = vocab[token] = len(postings)
                    index.vocab_tokens.append(token)
                    postings.append([])
                bucket = postings[vocab_id]
                if not bucket or bucket[-1] != name_id:
                    bucket.append(name_id)
    offset = 0
    index.post_offsets.append(0)
    for bucket in postings:
        index.post_data.extend(bucket)
        offset += len(bucket)
        index.post_offsets.append(offset)
        index.vocab_df.append(len(bucket))
    _build_keys(index)
    index.finalise()
    _freeze()
    return index


def _freeze() -> None:
    """Exempt the (large, read-only) index from cyclic garbage collection.

    Without this every full collection walks millions of index objects and a query that happens
    to trigger one takes tens of milliseconds; after ``gc.freeze`` the index is never scanned.
    """
    gc.collect()
    gc.freeze()


def _build_keys(index: Index) -> None:
    skeletons: dict[str, list[int]] = defaultdict(list)
    deletions: dict[str, list[int]] = defaultdict(list)
    outlines: dict[str, list[int]] = defaultdict(list)
    sounds: dict[str, list[int]] = defaultdict(list)
    for vocab_id, token in enumerate(index.vocab_tokens):
        if is_legal_form(token):
            continue
        key = skeleton(token)
        skeletons[key].append(vocab_id)
        for deleted in deletes(key):
            deletions[deleted].append(vocab_id)
        outlines[consonants(token)].append(vocab_id)
        sound = phonetic(token)
        if sound:
            sounds[sound].append(vocab_id)
    # Tuples take less memory than lists; the key maps are the largest part of a big index.
    index.skeleton_keys = {k: tuple(v) for k, v in skeletons.items()}
    index.delete_keys = {k: tuple(v) for k, v in deletions.items()}
    index.consonant_keys = {k: tuple(v) for k, v in outlines.items() if len(k) >= 2}
    index.phonetic_keys = {k: tuple(v) for k, v in sounds.items()}


# --------------------------------------------------------------------- disk cache


def cache_key(versions: Mapping[str, str]) -> str:
    """Key of an index on disk: the algorithm and index format versions plus the list versions it holds."""
    canonical = "\n".join(f"{code}={version}" for code, version in sorted(versions.items()))
    algorithm = f"{ALGORITHM_NAME}/{ALGORITHM_VERSION}/index-{INDEX_FORMAT}"
    digest = hashlib.sha256(f"{algorithm}\n{canonical}".encode()).hexdigest()
    return digest[:32]


def cache_path(directory: str | os.PathLike[str], versions: Mapping[str, str]) -> Path:
    return Path(directory) / f"index-{cache_key(versions)}.pickle"


def save_index(index: Index, directory: str | os.PathLike[str]) -> Path:
    """Write the index atomically (temp file + rename) under a name keyed by its list versions."""
    path = cache_path(directory, index.versions)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".index-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_PICKLE_MAGIC)
            handle.write(cache_key(index.versions).encode() + b"\n")
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_index(directory: str | os.PathLike[str], versions: Mapping[str, str]) -> Index | None:
    """Load the cached index for exactly these list versions, or None when there is none.

    The cache directory is private to the service (it is written only by ``save_index``);
    pickle must never be loaded from a place other users can write to.
    """
    path = cache_path(directory, versions)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        if handle.readline() != _PICKLE_MAGIC or handle.readline().strip().decode() != cache_key(versions):
            return None
        index = pickle.load(handle)  # noqa: S301  # private cache written by save_index
    if not isinstance(index, Index) or index.versions != dict(versions):
        return None
    _freeze()
    return index


def load_or_build(
    directory: str | os.PathLike[str],
    versions: Mapping[str, str],
    entries: Iterable[tuple[str, Entry]] | None = None,
    *,
    entries_factory: Any = None,
) -> Index:
    """The cached index for these versions, building and caching it first when absent."""
    index = load_index(directory, versions)
    if index is not None:
        return index
    source = entries if entries is not None else entries_factory()
    index = build_index(source, versions=versions)
    save_index(index, directory)
    return index
