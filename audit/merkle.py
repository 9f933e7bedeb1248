"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verifiers, free of Django.

Leaf hash ``SHA-256(0x00 || data)``, node hash ``SHA-256(0x01 || left || right)``, the
empty tree hashes to ``SHA-256("")``. Proof generation follows the recursive
definitions of RFC 9162 section 2.1 (PATH and SUBPROOF); the verifiers follow the
iterative algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2 in the decomposed form
used by transparency-dev/merkle, and are written so a third party can read and
re-implement them in a few lines.

All hashes are raw ``bytes`` (32 bytes). Verifiers raise ``ProofError`` with a
reason; they never return False, so that a forgotten ``if`` cannot accept a bad proof.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A Merkle proof does not verify (or is malformed)."""


def leaf_hash(data: bytes) -> bytes:
    """Hash of one leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    """The k of RFC 9162: the largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Merkle tree hash (MTH) of a list of leaf hashes, in O(n) time and O(log n) memory.

    Perfect subtrees are folded on a stack as leaves arrive; at the end the remaining
    subtrees (largest on the left) are folded from the right, which is exactly the
    RFC 6962 split at the largest power of two.
    """
    stack: list[bytes] = []
    for index, h in enumerate(hashes):
        stack.append(h)
        merged = index + 1
        while merged % 2 == 0:
            right = stack.pop()
            stack[-1] = node_hash(stack[-1], right)
            merged //= 2
    if not stack:
        return EMPTY_ROOT
    root = stack.pop()
    while stack:
        root = node_hash(stack.pop(), root)
    return root


class CompactRange:
    """Incremental Merkle root over appended leaf hashes (a 'compact range' from 0).

    Keeps one hash per set bit of the size, so appending a million leaves needs no
    list of a million hashes; ``root()`` may be read at any size (used for checkpoints).
    """

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[bytes] = []

    @classmethod
    def from_state(cls, size: int, hashes: Sequence[bytes]) -> CompactRange:
        """Resume from a saved ``state()``: one subtree hash per set bit of ``size``, largest first."""
        if size < 0 or len(hashes) != bin(size).count("1"):
            raise ValueError(f"a compact range of size {size} has {bin(max(size, 0)).count('1')} hashes")
        compact = cls()
        compact.size = size
        compact._stack = list(hashes)
        return compact

    def state(self) -> list[bytes]:
        """The subtree hashes that, with ``size``, let the range be resumed later."""
        return list(self._stack)

    def append(self, leaf_hash_value: bytes) -> None:
        """Add the next leaf hash."""
        self._stack.append(leaf_hash_value)
        self.size += 1
        merged = self.size
        while merged % 2 == 0:
            right = self._stack.pop()
            self._stack[-1] = node_hash(self._stack[-1], right)
            merged //= 2

    def root(self) -> bytes:
        """Merkle tree hash of the leaves appended so far."""
        if not self._stack:
            return EMPTY_ROOT
        root = self._stack[-1]
        for h in reversed(self._stack[:-1]):
            root = node_hash(h, root)
        return root


def _mth(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    return root_from_leaf_hashes(hashes[lo:hi])


RangeHash = Callable[[int, int], bytes]


def _path(range_hash: RangeHash, index: int, size: int) -> list[bytes]:
    """RFC 9162 PATH(index, D[0:size]), leaf-upwards, with subtree hashes from ``range_hash``."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    siblings: list[bytes] = []
    lo, hi, m = 0, size, index
    while hi - lo > 1:
        k = _largest_power_of_two_below(hi - lo)
        if m < k:
            siblings.append(range_hash(lo + k, hi))
            hi = lo + k
        else:
            siblings.append(range_hash(lo, lo + k))
            lo, m = lo + k, m - k
    return list(reversed(siblings))


def _subproof(range_hash: RangeHash, size1: int, size2: int) -> list[bytes]:
    """RFC 9162 SUBPROOF(size1, D[0:size2], true), with subtree hashes from ``range_hash``."""
    if not 0 < size1 <= size2:
        raise ValueError(f"a consistency proof needs 0 < size1 <= size2, got {size1} and {size2}")
    siblings: list[bytes] = []
    lo, hi, m, complete = 0, size2, size1, True
    while True:
        n = hi - lo
        if m == n:
            if not complete:
                siblings.append(range_hash(lo, hi))
            break
        k = _largest_power_of_two_below(n)
        if m <= k:
            siblings.append(range_hash(lo + k, hi))
            hi = lo + k
        else:
            siblings.append(range_hash(lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    return list(reversed(siblings))


def inclusion_proof(hashes: Sequence[bytes], index: int) -> list[bytes]:
    """Audit path (RFC 9162 PATH) for leaf ``index`` in the tree of all ``hashes``."""
    return _path(lambda lo, hi: _mth(hashes, lo, hi), index, len(hashes))


def consistency_proof(hashes: Sequence[bytes], size1: int) -> list[bytes]:
    """Consistency proof (RFC 9162 SUBPROOF) from the first ``size1`` leaves to all ``hashes``."""
    return _subproof(lambda lo, hi: _mth(hashes, lo, hi), size1, len(hashes))


class Tree:
    """A Merkle tree kept as levels of perfect-subtree hashes, for many proofs over one set of leaves.

    Building hashes every node once (about n hashes); afterwards any root, inclusion proof or
    consistency proof for any tree size up to n costs O(log^2 n) hashes.
    """

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaf_hashes)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def _range_hash(self, lo: int, hi: int) -> bytes:
        n = hi - lo
        if n & (n - 1) == 0 and lo % n == 0:  # an aligned perfect subtree: stored
            level = n.bit_length() - 1
            return self.levels[level][lo >> level]
        k = _largest_power_of_two_below(n)
        return node_hash(self._range_hash(lo, lo + k), self._range_hash(lo + k, hi))

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ValueError(f"tree size {size} is outside 0..{self.size}")

    def root(self, size: int | None = None) -> bytes:
        """Merkle tree hash of the first ``size`` leaves (all by default)."""
        size = self.size if size is None else size
        self._check_size(size)
        return self._range_hash(0, size) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Audit path for leaf ``index`` in the tree of the first ``size`` leaves."""
        size = self.size if size is None else size
        self._check_size(size)
        return _path(self._range_hash, index, size)

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        """Consistency proof from the first ``size1`` leaves to the first ``size2``."""
        size2 = self.size if size2 is None else size2
        self._check_size(size2)
        return _subproof(self._range_hash, size1, size2)


# --- verification -----------------------------------------------------------------------------


def _check_hash(name: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{name} is {len(value)} bytes, expected {HASH_SIZE}")


def _decompose(index: int, size: int) -> tuple[int, int]:
    """Split an inclusion path into its inner part (below the split) and border part."""
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    return inner, border


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        seed = node_hash(seed, h) if (index >> i) & 1 == 0 else node_hash(h, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        if (index >> i) & 1 == 1:
            seed = node_hash(h, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for h in proof:
        seed = node_hash(h, seed)
    return seed


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root implied by an inclusion proof; raises ProofError if it is malformed."""
    if index < 0 or size < 0:
        raise ProofError("index and size must be non-negative")
    if index >= size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    _check_hash("leaf hash", leaf)
    for i, h in enumerate(proof):
        _check_hash(f"proof[{i}]", h)
    inner, border = _decompose(index, size)
    if len(proof) != inner + border:
        raise ProofError(f"proof has {len(proof)} hashes, expected {inner + border}")
    result = _chain_inner(leaf, proof[:inner], index)
    return _chain_border_right(result, proof[inner:])


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``leaf`` (a leaf hash) is entry ``index`` of the tree of ``size`` with ``root``."""
    _check_hash("root", root)
    calculated = root_from_inclusion_proof(index, size, leaf, proof)
    if calculated != root:
        raise ProofError("inclusion proof does not lead to the expected root")


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Check that the tree (size2, root2) extends the tree (size1, root1).

    As in transparency-dev/merkle, a proof from the empty tree is refused (it proves
    nothing), and equal sizes need an empty proof and equal roots.
    """
    if size1 < 0 or size2 < 0:
        raise ProofError("sizes must be non-negative")
    if size2 < size1:
        raise ProofError(f"size2 ({size2}) is smaller than size1 ({size1})")
    if size1 == 0:
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if size1 == size2:
        if proof:
            raise ProofError("sizes are equal but the proof is not empty")
        if root1 != root2:
            raise ProofError("sizes are equal but the roots differ")
        return
    if not proof:
        raise ProofError("the proof is empty")
    _check_hash("root1", root1)
    _check_hash("root2", root2)
    for i, h in enumerate(proof):
        _check_hash(f"proof[{i}]", h)

    inner, border = _decompose(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1  # trailing zero bits of size1
    inner -= shift
    # The proof starts with the hash of the subtree of size 2**shift, unless size1 is that subtree.
    if size1 == 1 << shift:
        seed, rest = root1, list(proof)
    else:
        seed, rest = proof[0], list(proof[1:])
    if len(rest) != inner + border:
        raise ProofError(f"proof has {len(proof)} hashes, expected {len(proof) - len(rest) + inner + border}")
    mask = (size1 - 1) >> shift
    hash1 = _chain_border_right(_chain_inner_right(seed, rest[:inner], mask), rest[inner:])
    if hash1 != root1:
        raise ProofError("consistency proof does not lead to root1")
    hash2 = _chain_border_right(_chain_inner(seed, rest[:inner], mask), rest[inner:])
    if hash2 != root2:
        raise ProofError("consistency proof does not lead to root2")
