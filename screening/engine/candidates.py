"""Candidate generation: find the few listed names worth scoring without scanning them all.

Each query token is expanded to vocabulary tokens through exact, skeleton, typo (one deletion
on the skeleton), consonant-outline and metaphone keys; the postings of those tokens vote for
names, weighted by the token's rarity. Very common tokens (posting lists longer than
``COMMON_POSTINGS``) do not vote when the query has a rarer token, and otherwise only the
intersection of the two rarest common tokens is considered, so "Muhammad Ali" costs the same
as "Vladimir Putin".
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Collection
from functools import partial
from itertools import compress
from operator import itemgetter

from screening.engine.arabic import persian_reading
from screening.engine.compare import token_similarity
from screening.engine.evidence import schema_compatible
from screening.engine.index import Index, deletes
from screening.engine.normalise import (
    ABJAD_MARK,
    abjad_like,
    consonants,
    is_legal_form,
    is_particle,
    phonetic,
    skeleton,
)

COMMON_POSTINGS = 1500
SEED_TERMS = 3
MAX_CANDIDATES = 16
# A word written in Arabic or Hebrew script is known only by its consonants, which many Latin
# spellings share ("zhd": Zahid, Zahed, Saad): such a query gets more candidates.
ABJAD_CANDIDATES = 32
RELATIVE_FLOOR = 0.5
NAMES_PER_ENTITY = 2
# Names examined at most when every query token is common ("Muhammad Ali", "John Smith").
COMMON_SCAN = 5_000
# A common term's postings are intersected with the voted names when there are fewer than this
# many postings per voted name; otherwise each voted name's tokens are looked up (same result).
POSTINGS_PER_NAME = 12
_EXPANSION_CACHE_LIMIT = 200_000
# Vocabulary tokens a query token may stand for, with their similarity to it.
Expansions = tuple[tuple[int, float], ...]
# A query term: (postings of all its expansions, its expansions, its voting weight).
Term = tuple[int, Expansions, float]


def expand(index: Index, token: str) -> Expansions:
    """Vocabulary tokens that may be the same name part as ``token``, with their similarity."""
    cached = index._expansion_cache.get(token)
    if cached is not None:
        return cached
    found: set[int] = set()
    exact = index.vocab.get(token)
    if exact is not None:
        found.add(exact)
    if not is_legal_form(token):
        key = skeleton(token)
        found.update(index.skeleton_keys.get(key, ()))
        if len(key) >= 4:
            for deleted in deletes(key):
                found.update(index.delete_keys.get(deleted, ()))
        if abjad_like(token):
            found.update(index.consonant_keys.get(consonants(token), ()))
            persian = persian_reading(token[:-1])
            if persian is not None:
                # ث and ذ read as s and z (Persian, Urdu): "وثيق" is also written Wassiq.
                found.update(index.consonant_keys.get(consonants(persian), ()))
        sound = phonetic(token)
        if sound and len(token) >= 5:
            found.update(index.phonetic_keys.get(sound, ()))
    scored = []
    # An Arabic- or Hebrew-script token (of the query or of the vocabulary) and a Latin one are
    # matched here by outline: the learned reading, slower, is left to the scoring of the names found.
    abjad = abjad_like(token)
    for vocab_id in found:
        other = index.vocab_tokens[vocab_id]
        if abjad or other[-1:] == ABJAD_MARK:
            sim = token_similarity(token, other, False)
        else:
            # Two arguments: the same cache entry as the scoring's comparison of the pair.
            sim = token_similarity(token, other)
        if sim > 0.0:
            scored.append((vocab_id, sim))
    result = tuple(scored)
    if len(index._expansion_cache) > _EXPANSION_CACHE_LIMIT:
        index._expansion_cache.clear()
    index._expansion_cache[token] = result
    return result


def _admissible(
    index: Index, votes: dict[int, float], sources: Collection[str] | None, schema: str
) -> dict[int, float]:
    """The votes of names whose entry is in ``sources`` and of a kind ``schema`` may match."""
    verdicts: dict[int, bool] = {}
    kept: dict[int, float] = {}
    name_entity, entity_source, entity_schema = index.name_entity, index.entity_source, index.entity_schema
    for name_id, vote in votes.items():
        entity = name_entity[name_id]
        ok = verdicts.get(entity)
        if ok is None:
            ok = (sources is None or entity_source[entity] in sources) and schema_compatible(
                schema, entity_schema[entity]
            )
            verdicts[entity] = ok
        if ok:
            kept[name_id] = vote
    return kept


def _query_terms(index: Index, tokens: tuple[str, ...]) -> list[str]:
    """Query tokens, adjacent pairs written solid ("bin laden" -> "binladen") and solid words split."""
    terms = [t for t in tokens if len(t) > 1]
    for left, right in itertools.pairwise(tokens):
        if len(left) > 1 and len(right) > 1 and not is_legal_form(left) and not is_legal_form(right):
            joined = left + right
            if joined in index.vocab:
                terms.append(joined)
    for token in tokens:
        if len(token) >= 6 and token not in index.vocab:
            # "Binladen" against a list that writes "Bin Laden": try every split into two known words.
            for cut in range(2, len(token) - 1):
                if token[:cut] in index.vocab and token[cut:] in index.vocab:
                    terms += [token[:cut], token[cut:]]
                    break
    return terms


def candidates(
    index: Index,
    tokens: tuple[str, ...],
    *,
    limit: int = MAX_CANDIDATES,
    sources: Collection[str] | None = None,
    schema: str = "Any",
) -> list[int]:
    """Ids of the names most likely to match the query tokens, best first (at most two per entity).

    Only names of entries the query may match count: from ``sources`` (all when None) and of a
    kind compatible with ``schema``, so a person's query is never crowded out by companies with
    the same words in their names. A query with an Arabic- or Hebrew-script word gets at least
    ``ABJAD_CANDIDATES``.
    """
    if limit < ABJAD_CANDIDATES and any(map(abjad_like, tokens)):
        limit = ABJAD_CANDIDATES
    votes: dict[int, float] = {}
    terms = [term for term in map(partial(_term, index), _query_terms(index, tokens)) if term[1]]
    terms.sort(key=itemgetter(0))
    # The rarest terms find the candidates (SEED_TERMS of them, unless very common); the others
    # only add to names already found, looked up in those names' own tokens.
    seeds = [t for t in terms[:SEED_TERMS] if t[0] <= COMMON_POSTINGS]
    common = terms[len(seeds) :]
    for _, seed_expansions, weight in seeds:
        _add_votes(votes, _best_similarity(index, seed_expansions), weight)
    if common:
        if seeds:
            _add_common(index, common, votes)
        else:
            _vote_common_only(index, common, votes)
    if votes and (sources is not None or schema != "Any"):
        votes = _admissible(index, votes, sources, schema)
    if not votes:
        return []
    out: list[int] = []
    per_entity: dict[int, int] = {}
    for name_id in _ranked(votes, limit * 6, index.name_tokens, limit):
        entity = index.name_entity[name_id]
        # One entity with thirty aliases must not crowd every other entity out.
        seen = per_entity.get(entity, 0)
        if seen >= NAMES_PER_ENTITY:
            continue
        per_entity[entity] = seen + 1
        out.append(name_id)
        if len(out) >= limit:
            break
    return out


def _term(index: Index, term: str) -> Term:
    """A query term's expansions, their postings in all and the term's voting weight (cached per index)."""
    cached: Term | None = index._term_cache.get(term)
    if cached is not None:
        return cached
    expansions = expand(index, term)
    weight = 0.0
    if expansions:
        weight = index.weight(term) if term in index.vocab else max(index._weights[v] for v, _ in expansions)
        if is_particle(term) or is_legal_form(term):
            weight *= 0.25
    result = (sum(index.posting_count(v) for v, _ in expansions), expansions, weight)
    if len(index._term_cache) > _EXPANSION_CACHE_LIMIT:
        index._term_cache.clear()
    index._term_cache[term] = result
    return result


def _best_similarity(index: Index, expansions: Expansions) -> dict[int, float]:
    """Every name holding one of the expansion tokens, with the best similarity among them (in posting order)."""
    best: dict[int, float] = {}
    offsets, data = index.post_offsets, index.post_data
    for vocab_id, sim in expansions:
        best = _merge_best(best, data[offsets[vocab_id] : offsets[vocab_id + 1]], sim)
    return best


def _merge_best(best: dict[int, float], names: Collection[int], sim: float) -> dict[int, float]:
    """``best`` with ``names`` at ``sim``: new names join at the end in order, others keep the higher similarity.

    The same as ``if best.get(name, 0.0) < sim: best[name] = sim`` for each name, in dict operations.
    """
    if not best:
        return dict.fromkeys(names, sim)
    higher = {name_id: best[name_id] for name_id in best.keys() & names if best[name_id] >= sim}
    best.update(dict.fromkeys(names, sim))
    best.update(higher)
    return best


def _add_votes(votes: dict[int, float], best: dict[int, float], weight: float) -> None:
    """``votes[name] = votes.get(name, 0.0) + weight * sim`` for each (name, sim) of ``best``, in order."""
    if not votes:
        votes.update({name_id: weight * sim for name_id, sim in best.items()})  # 0.0 + x is x
        return
    get = votes.get
    for name_id, sim in best.items():
        votes[name_id] = get(name_id, 0.0) + weight * sim


def _ranked(votes: dict[int, float], count: int, name_tokens: list[str], places: int) -> list[int]:
    """The ``count`` best-voted names, best first, down to RELATIVE_FLOOR.

    A name with less than half the best name's evidence cannot come near the threshold. When
    names with equal votes compete for the last of the ``places``, the shortest come first:
    "ALI, Muhammad" before the thousand longer names that also hold Muhammad and Ali.
    """
    floor = max(votes.values()) * RELATIVE_FLOOR
    pool = list(compress(votes, map(floor.__le__, votes.values())))
    pool.sort(key=votes.__getitem__, reverse=True)  # stable: ties keep their order
    if len(pool) > places and votes[pool[places - 1]] == votes[pool[places]]:
        # Equal votes across the last candidate place: the shorter names take the places.
        ranked_votes = list(map(votes.__getitem__, pool))
        cut = ranked_votes[places]
        first = ranked_votes.index(cut)
        tied = pool[first : first + ranked_votes.count(cut)]
        lengths = list(map(len, map(name_tokens.__getitem__, tied)))
        wanted = max(count - first, 0)
        shortest = heapq.nsmallest(wanted, range(len(tied)), key=lengths.__getitem__)
        pool[first : first + len(tied)] = [tied[i] for i in shortest]
    return pool[:count]


def _vote_common_only(index: Index, common: list[Term], votes: dict[int, float]) -> None:
    """All query tokens are common: walk the rarest one's names (at most COMMON_SCAN) and check the others."""
    _, rarest, weight = common[0]
    remaining = COMMON_SCAN
    for vocab_id, sim in sorted(rarest, key=lambda item: -item[1]):
        names = index.postings(vocab_id)
        if len(names) > remaining:
            names = names[:remaining]
        remaining -= len(names)
        # New names join in posting order; a name already voted for keeps its (higher) vote.
        kept = {name_id: votes[name_id] for name_id in votes.keys() & names}
        votes.update(dict.fromkeys(names, weight * sim))
        votes.update(kept)
        if not remaining:
            break
    _add_common(index, common[1:], votes)


def _add_common(index: Index, common: list[Term], votes: dict[int, float]) -> None:
    """Add each common term's vote to the names already voted for that hold one of its tokens.

    A name gets the term's weight times the best similarity among its tokens. Whichever is
    cheaper is walked: the term's postings (intersected with the voted names) or the voted
    names' own tokens. Votes are added term by term in order, so the sums are the same either way.
    """
    found: list[dict[int, float]] = []
    by_tokens: list[tuple[dict[str, float], dict[int, float]]] = []
    voted = votes.keys()
    for size, expansions, _ in common:
        best: dict[int, float] = {}
        found.append(best)
        if size <= POSTINGS_PER_NAME * len(votes):
            for vocab_id, sim in expansions:
                best = _merge_best(best, voted & index.postings(vocab_id), sim)
            found[-1] = best
        else:
            by_tokens.append(({index.vocab_tokens[vocab_id]: sim for vocab_id, sim in expansions}, best))
    if by_tokens:
        name_tokens = index.name_tokens
        for name_id in votes:
            tokens = name_tokens[name_id].split(" ")
            for similar, best in by_tokens:
                top = 0.0
                for token in tokens:
                    sim = similar.get(token, 0.0)
                    if sim > top:
                        top = sim
                if top:
                    best[name_id] = top
    for (_, _, weight), best in zip(common, found, strict=True):
        _add_votes(votes, best, weight)
