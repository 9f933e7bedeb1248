"""Ownership graph analysis, free of Django: OFAC 50% rule, beneficial owners, opacity.

The graph has one node per party (a person or a company) and one edge per holding: ``owner`` holds
``share`` (0..1) of ``owned``. A party may hold several stakes (multi-path ownership), the graph may
have any depth, and it may be circular (A owns B owns A); every function here terminates on any graph.

**OFAC 50% rule** (OFAC's revised guidance of 13 August 2014): an entity owned 50% or more, directly
or indirectly, in the aggregate, by one or more blocked persons is itself blocked, and then counts
as a blocked person for the entities it owns. Indirect ownership through an entity that is *not*
blocked is looked through: its stake passes on in proportion to the blocked persons' effective
share of that entity (30% of a holding company that owns 60% of the target is 18% of the target).

``analyse_ofac_50`` computes the least fixed point of those two rules, so it is order-independent,
monotone (listing one more person never unblocks anyone) and handles cycles: the share that flows
around a circle is a geometric series that converges, capped at 100%.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

OFAC_THRESHOLD = 0.5
BENEFICIAL_OWNER_THRESHOLD = 0.25
# Floats accumulate error around 1e-16; shares are entered with at most 4 decimal places of a percent.
EPSILON = 1e-9
MAX_ITERATIONS = 10_000
MAX_CHAINS = 20
MAX_CHAIN_LENGTH = 12
MAX_WALK_STEPS = 200_000


@dataclass(frozen=True, slots=True)
class Holding:
    """``owner`` holds ``share`` (a fraction 0..1) of ``owned``."""

    owner: str
    owned: str
    share: float
    nominee: bool = False

    def __post_init__(self) -> None:
        share = float(self.share) if isinstance(self.share, Decimal | int) else self.share
        if not isinstance(share, float) or not 0.0 <= share <= 1.0:
            raise ValueError("a share is a fraction between 0 and 1")
        if self.owner == self.owned:
            raise ValueError("a party cannot hold a stake in itself")
        object.__setattr__(self, "share", share)


@dataclass(frozen=True, slots=True)
class Chain:
    """One path of ownership from a listed party to the target, with the share it carries.

    The share counted is the stake held by the first *blocked* owner on the path, multiplied through
    the unblocked companies after it: a blocked company's stake counts in full, whoever blocked it.
    """

    parties: tuple[str, ...]  # listed party first, target last
    shares: tuple[float, ...]  # one per edge
    share: float  # what this path adds to the target's aggregate

    def describe(self, names: Mapping[str, str] | None = None) -> str:
        """``"X -30%-> HoldCo -100%-> Target = 30%"``."""
        label = (names or {}).get
        parts = [label(self.parties[0], self.parties[0])]
        for party, share in zip(self.parties[1:], self.shares, strict=True):
            parts.append(f"-{_percent(share)}-> {label(party, party)}")
        return " ".join(parts) + f" = {_percent(self.share)}"


@dataclass(frozen=True, slots=True)
class BlockedEntity:
    """An entity blocked by the 50% rule: its aggregate blocked ownership and the chains behind it."""

    party: str
    aggregate: float
    chains: tuple[Chain, ...]


@dataclass(frozen=True, slots=True)
class OfacResult:
    """Every entity's aggregate blocked ownership, and which entities the rule blocks."""

    aggregate: Mapping[str, float]
    blocked: Mapping[str, BlockedEntity]
    listed: frozenset[str]

    def is_blocked(self, party: str) -> bool:
        return party in self.listed or party in self.blocked


def _percent(value: float) -> str:
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _owners_of(holdings: Iterable[Holding]) -> dict[str, dict[str, float]]:
    """owned -> {owner: summed share} (two entries for the same pair are one larger stake)."""
    owners: dict[str, dict[str, float]] = defaultdict(dict)
    for holding in holdings:
        bucket = owners[holding.owned]
        bucket[holding.owner] = min(1.0, bucket.get(holding.owner, 0.0) + holding.share)
    return owners


def analyse_ofac_50(
    holdings: Iterable[Holding],
    listed: Collection[str],
    *,
    entities: Collection[str] | None = None,
    threshold: float = OFAC_THRESHOLD,
) -> OfacResult:
    """Apply the OFAC 50% rule over the whole graph; name the chains behind each blocked entity.

    ``listed`` are the parties on a sanctions list (persons or entities). ``entities`` are the parties
    that are companies (only those can be blocked by ownership, or be looked through); when omitted,
    every party that is owned by someone is taken to be an entity.
    """
    holdings = list(holdings)
    owners = _owners_of(holdings)
    listed_set = frozenset(listed)
    entity_set = frozenset(entities) if entities is not None else frozenset(owners)
    blocked: set[str] = set(listed_set)
    effective: dict[str, float] = defaultdict(float)
    targets = [party for party in owners if party in entity_set]

    def weight(party: str) -> float:
        if party in blocked:
            return 1.0
        if party in entity_set:
            return effective[party]
        return 0.0

    # Least fixed point by Gauss-Seidel iteration: every value only grows, and is capped at 100%.
    for _ in range(MAX_ITERATIONS):
        changed = False
        for party in targets:
            value = min(1.0, sum(share * weight(owner) for owner, share in owners[party].items()))
            if value > effective[party] + EPSILON:
                effective[party] = value
                changed = True
            if party not in blocked and effective[party] >= threshold - EPSILON:
                blocked.add(party)
                changed = True
        if not changed:
            break

    newly_blocked = {
        party: BlockedEntity(
            party=party,
            aggregate=effective[party],
            chains=tuple(_chains(party, owners, blocked, listed_set, entity_set, effective)),
        )
        for party in targets
        if party in blocked and party not in listed_set
    }
    return OfacResult(
        aggregate={party: effective[party] for party in targets},
        blocked=newly_blocked,
        listed=listed_set,
    )


def _chains(
    target: str,
    owners: Mapping[str, Mapping[str, float]],
    blocked: Collection[str],
    listed: Collection[str],
    entities: Collection[str],
    effective: Mapping[str, float],
) -> list[Chain]:
    """The strongest simple paths that carry blocked ownership into ``target``, best first.

    A path walks up from the target through owners that are not blocked (looked through) and
    ends at a blocked owner: a listed person, or an entity blocked in its own right. Only owners
    that carry some blocked ownership are walked into, and the walk has a step budget, so naming
    the chains stays fast on large groups.
    """
    found: list[Chain] = []
    budget = [MAX_WALK_STEPS]

    def upstream(entity: str, path: list[str]) -> tuple[tuple[str, ...], tuple[float, ...]]:
        """How a blocked (not listed) entity came to be blocked: its strongest chain from a listed party."""
        best: tuple[tuple[str, ...], tuple[float, ...]] = ((), ())
        for owner, share in sorted(owners.get(entity, {}).items(), key=lambda item: -item[1]):
            if owner in path or owner not in blocked or share <= 0.0:
                continue
            if owner in listed:
                return (owner,), (share,)
            if len(path) < MAX_CHAIN_LENGTH:
                parties, shares = upstream(owner, [*path, owner])
                if parties:
                    return (*parties, owner), (*shares, share)
        return best

    def walk(party: str, path: list[str], shares: list[float], product: float) -> None:
        if len(found) >= MAX_CHAINS * 5 or len(path) > MAX_CHAIN_LENGTH:
            return
        for owner, share in sorted(owners.get(party, {}).items(), key=lambda item: -item[1]):
            budget[0] -= 1
            if budget[0] < 0:
                return
            if owner in path or share <= 0.0:
                continue  # a cycle: its share is already counted in the aggregate
            if owner not in blocked and effective.get(owner, 0.0) <= 0.0:
                continue  # carries no blocked ownership
            carried = product * share
            if owner in blocked:
                before, before_shares = ((), ()) if owner in listed else upstream(owner, [*path, owner])
                parties = (*before, owner, *reversed(path))
                edge_shares = (*before_shares, share, *reversed(shares))
                found.append(Chain(parties=parties, shares=edge_shares, share=carried))
            elif owner in entities:
                walk(owner, [*path, owner], [*shares, share], carried)

    walk(target, [target], [], 1.0)
    found.sort(key=lambda chain: (-chain.share, chain.parties))
    return found[:MAX_CHAINS]


# ----------------------------------------------------------------------------- beneficial owners


def effective_ownership(holdings: Iterable[Holding], target: str) -> dict[str, float]:
    """Each party's effective (looked-through, multiplied) share of ``target``, summed over every path.

    Computed by iteration rather than path enumeration, so it is linear in the number of holdings
    per round: on an acyclic group it equals the sum over paths of the product of the shares; a
    circular holding adds its (converging) share on each turn around the circle, capped at 100%.
    """
    owned_by: dict[str, dict[str, float]] = defaultdict(dict)  # owner -> {owned: share}
    for holding in holdings:
        bucket = owned_by[holding.owner]
        bucket[holding.owned] = min(1.0, bucket.get(holding.owned, 0.0) + holding.share)
    reach = {target}
    frontier = [target]
    owners = _owners_of(holdings)
    while frontier:  # only the parties above the target matter
        party = frontier.pop()
        for owner in owners.get(party, {}):
            if owner not in reach:
                reach.add(owner)
                frontier.append(owner)
    reach.discard(target)
    values: dict[str, float] = defaultdict(float)
    for _ in range(MAX_ITERATIONS):
        changed = False
        for party in reach:
            total = 0.0
            for owned, share in owned_by[party].items():
                total += share * (1.0 if owned == target else values.get(owned, 0.0))
            total = min(1.0, total)
            if abs(total - values[party]) > EPSILON:
                values[party] = total
                changed = True
        if not changed:
            break
    return {party: value for party, value in values.items() if value > 0.0}


def beneficial_owners(
    holdings: Iterable[Holding],
    target: str,
    persons: Collection[str],
    *,
    threshold: float = BENEFICIAL_OWNER_THRESHOLD,
) -> dict[str, float]:
    """Natural persons whose effective share of ``target`` is at least ``threshold`` (25% by default)."""
    shares = effective_ownership(holdings, target)
    return {p: s for p, s in shares.items() if p in persons and s >= threshold - EPSILON}


# ----------------------------------------------------------------------------- opacity


@dataclass(frozen=True, slots=True)
class Opacity:
    """How hard the ownership is to see through: layers, nominees, circles, unexplained shares."""

    layers: int  # companies between the target and its furthest owner
    nominees: tuple[str, ...]
    cycles: tuple[tuple[str, ...], ...]
    unexplained: Mapping[str, float] = field(default_factory=dict)  # company -> share with no known owner


def ownership_layers(holdings: Iterable[Holding], target: str) -> int:
    """The number of intermediate companies on the longest ownership chain into ``target``.

    Circles count once (each group of companies that own each other is one step), so the answer
    is the longest path in a directed acyclic graph: linear time, whatever the size of the group.
    """
    holdings = list(holdings)
    owners = _owners_of(holdings)
    component: dict[str, int] = {}
    for number, cycle in enumerate(ownership_cycles(holdings)):
        for party in cycle:
            component[party] = -(number + 1)

    def node(party: str) -> str:
        return f"#cycle{component[party]}" if party in component else party

    graph: dict[str, set[str]] = defaultdict(set)  # node -> nodes that own it
    members: dict[str, list[str]] = defaultdict(list)
    for owned, holders in owners.items():
        members[node(owned)].append(owned)
        for owner in holders:
            if node(owner) != node(owned):
                graph[node(owned)].add(node(owner))
    depth: dict[str, int] = {}
    start = node(target)
    stack: list[tuple[str, bool]] = [(start, False)]
    while stack:
        current, expanded = stack.pop()
        if expanded:
            # An owner that is itself owned is an intermediate layer.
            depth[current] = max(
                (depth[above] + (1 if graph.get(above) else 0) for above in graph.get(current, ())), default=0
            )
            continue
        if current in depth:
            continue
        stack.append((current, True))
        stack.extend((above, False) for above in graph.get(current, ()) if above not in depth)
    return depth.get(start, 0)


def ownership_cycles(holdings: Iterable[Holding]) -> list[tuple[str, ...]]:
    """The strongly connected groups of parties that own each other (circular ownership), sorted."""
    graph: dict[str, set[str]] = defaultdict(set)
    nodes: set[str] = set()
    for holding in holdings:
        graph[holding.owner].add(holding.owned)
        nodes.update((holding.owner, holding.owned))
    # Tarjan's algorithm, iterative so that deep chains cannot exhaust the recursion limit.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[tuple[str, ...]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, pending = work[-1]
            if pending:
                nxt = pending.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph[nxt])))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    result.append(tuple(sorted(component)))
    return sorted(result)


def analyse_opacity(holdings: Iterable[Holding], target: str, *, entities: Collection[str]) -> Opacity:
    """Layers, nominee holders, circular ownership and companies whose known owners hold under 100%."""
    holdings = list(holdings)
    owners = _owners_of(holdings)
    reachable = set(effective_ownership(holdings, target)) | {target}
    unexplained = {
        company: round(1.0 - sum(owners.get(company, {}).values()), 6)
        for company in sorted(reachable)
        if company in entities and sum(owners.get(company, {}).values()) < 1.0 - EPSILON
    }
    relevant = [h for h in holdings if h.owned in reachable]
    return Opacity(
        layers=ownership_layers(relevant, target),
        nominees=tuple(sorted({h.owner for h in relevant if h.nominee})),
        cycles=tuple(ownership_cycles(relevant)),
        unexplained=unexplained,
    )
