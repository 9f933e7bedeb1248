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

from screening.engine.compare import token_similarity
from screening.engine.index import Index, deletes
from screening.engine.normalise import abjad_like, consonants, is_legal_form, is_particle, phonetic, skeleton

COMMON_POSTINGS = 1500
SEED_TERMS = 3
MAX_CANDIDATES = 16
RELATIVE_FLOOR = 0.5
NAMES_PER_ENTITY = 2
# Names examined at most when every query token is common ("Muhammad Ali", "John Smith").
COMMON_SCAN = 5_000
_EXPANSION_CACHE_LIMIT = 200_000


def expand(index: Index, token: str) -> tuple[tuple[int, float], ...]:
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
        sound = phonetic(token)
        if sound and len(token) >= 5:
            found.update(index.phonetic_keys.get(sound, ()))
    scored = []
    for vocab_id in found:
        sim = token_similarity(token, index.vocab_tokens[vocab_id])
        if sim > 0.0:
            scored.append((vocab_id, sim))
    result = tuple(scored)
    if len(index._expansion_cache) > _EXPANSION_CACHE_LIMIT:
        index._expansion_cache.clear()
    index._expansion_cache[token] = result
    return result


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
) -> list[int]:
    """Ids of the names most likely to match the query tokens, best first (at most two per entity)."""
    votes: dict[int, float] = {}
    terms: list[tuple[int, list[tuple[int, float]], float]] = []
    for term in _query_terms(index, tokens):
        expansions = expand(index, term)
        if not expansions:
            continue
        weight = index.weight(term) if term in index.vocab else max(index._weights[v] for v, _ in expansions)
        if is_particle(term) or is_legal_form(term):
            weight *= 0.25
        size = sum(index.posting_count(v) for v, _ in expansions)
        terms.append((size, list(expansions), weight))
    terms.sort(key=lambda item: item[0])
    # The rarest terms find the candidates (SEED_TERMS of them, unless very common); the others
    # only add to names already found, looked up in those names' own tokens.
    seeds = [t for t in terms[:SEED_TERMS] if t[0] <= COMMON_POSTINGS]
    common = terms[len(seeds) :]
    for _, seed_expansions, weight in seeds:
        best: dict[int, float] = {}
        for vocab_id, sim in seed_expansions:
            for name_id in index.postings(vocab_id):
                if best.get(name_id, 0.0) < sim:
                    best[name_id] = sim
        for name_id, sim in best.items():
            votes[name_id] = votes.get(name_id, 0.0) + weight * sim
    if common:
        if seeds:
            for _, common_expansions, common_weight in common:
                similar = {index.vocab_tokens[vocab_id]: sim for vocab_id, sim in common_expansions}
                for name_id in votes:
                    found = max((similar.get(t, 0.0) for t in index.name_tokens[name_id].split(" ")), default=0.0)
                    if found:
                        votes[name_id] += common_weight * found
        else:
            _vote_common_only(index, common, votes)
    if not votes:
        return []
    ranked = heapq.nlargest(limit * 6, votes.items(), key=lambda item: item[1])
    # A name with less than half the best name's evidence cannot come near the threshold.
    floor = ranked[0][1] * RELATIVE_FLOOR
    out: list[int] = []
    per_entity: dict[int, int] = {}
    for name_id, vote in ranked:
        if vote < floor:
            break
        entity = index.name_entity[name_id]
        if sources is not None and index.entity_source[entity] not in sources:
            continue
        # One entity with thirty aliases must not crowd every other entity out.
        seen = per_entity.get(entity, 0)
        if seen >= NAMES_PER_ENTITY:
            continue
        per_entity[entity] = seen + 1
        out.append(name_id)
        if len(out) >= limit:
            break
    return out


def _vote_common_only(
    index: Index, common: list[tuple[int, list[tuple[int, float]], float]], votes: dict[int, float]
) -> None:
    """All query tokens are common: walk the rarest one's names (at most COMMON_SCAN) and check the others."""
    _, rarest, weight = common[0]
    others = [({index.vocab_tokens[v]: sim for v, sim in expansions}, w) for _, expansions, w in common[1:]]
    scanned = 0
    for vocab_id, sim in sorted(rarest, key=lambda item: -item[1]):
        for name_id in index.postings(vocab_id):
            scanned += 1
            if scanned > COMMON_SCAN:
                return
            if name_id in votes:
                continue
            vote = weight * sim
            if others:
                tokens = index.name_tokens[name_id].split(" ")
                for similar, other_weight in others:
                    vote += other_weight * max((similar.get(t, 0.0) for t in tokens), default=0.0)
            votes[name_id] = vote
