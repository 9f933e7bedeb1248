"""audit.merkle against the 196 transparency-dev RFC 6962 probes, and against itself."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit import merkle, verify_proof
from tests.shared import SHARED, shared_path

VECTORS = ("vectors", "rfc6962-merkle", "testdata")

# The leaves of the RFC 6962 test tree used by certificate-transparency and transparency-dev.
RFC6962_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
RFC6962_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}


def _probe_files(kind: str) -> list[Path]:
    root = SHARED.joinpath(*VECTORS, kind)
    return sorted(root.rglob("*.json")) if root.exists() else []


def _happy_paths(kind: str) -> list[Path]:
    return [p for p in _probe_files(kind) if json.loads(p.read_text())["desc"] == "happy path"]


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _proof(value: list[str] | None) -> list[bytes]:
    return [_b64(h) for h in value or []]


def _probe_id(path: Path) -> str:
    return str(path.relative_to(SHARED.joinpath(*VECTORS)))


@pytest.mark.shared
def test_all_196_rfc6962_probes_are_present():
    shared_path(*VECTORS)
    assert len(_probe_files("inclusion")) + len(_probe_files("consistency")) == 196


@pytest.mark.shared
@pytest.mark.parametrize("path", _probe_files("inclusion"), ids=_probe_id)
def test_inclusion_probe_is_accepted_exactly_when_the_reference_accepts_it(path: Path):
    probe = json.loads(path.read_text())
    args = (probe["leafIdx"], probe["treeSize"], _b64(probe["leafHash"]), _proof(probe["proof"]))
    if probe["wantErr"]:
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(*args, _b64(probe["root"]))
    else:
        merkle.verify_inclusion(*args, _b64(probe["root"]))


@pytest.mark.shared
@pytest.mark.parametrize("path", _probe_files("consistency"), ids=_probe_id)
def test_consistency_probe_is_accepted_exactly_when_the_reference_accepts_it(path: Path):
    probe = json.loads(path.read_text())
    roots = (_b64(probe["root1"]), _b64(probe["root2"]))
    args = (probe["size1"], probe["size2"], _proof(probe["proof"]), *roots)
    if probe["wantErr"]:
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(*args)
    else:
        merkle.verify_consistency(*args)


@pytest.mark.shared
@pytest.mark.parametrize("path", _probe_files("inclusion") + _probe_files("consistency"), ids=_probe_id)
def test_the_standalone_auditor_script_agrees_with_the_reference_on_every_probe(path: Path):
    """audit/verify_proof.py re-implements RFC 9162 2.1.3.2 and 2.1.4.2 literally; it must agree too."""
    probe = json.loads(path.read_text())
    if "leafIdx" in probe:

        def check() -> None:
            leaf, proof = _b64(probe["leafHash"]), _proof(probe["proof"])
            root = verify_proof.root_from_inclusion(probe["leafIdx"], probe["treeSize"], leaf, proof)
            if root != _b64(probe["root"]):
                raise verify_proof.NotVerified("root differs")
    else:

        def check() -> None:
            roots = (_b64(probe["root1"]), _b64(probe["root2"]))
            verify_proof.check_consistency(probe["size1"], probe["size2"], *roots, _proof(probe["proof"]))

    if probe["wantErr"]:
        with pytest.raises(verify_proof.NotVerified):
            check()
    else:
        check()


@pytest.mark.shared
@pytest.mark.parametrize("path", _happy_paths("inclusion"), ids=_probe_id)
def test_generated_inclusion_proofs_equal_the_reference_happy_paths(path: Path):
    probe = json.loads(path.read_text())
    hashes = [merkle.leaf_hash(leaf) for leaf in RFC6962_LEAVES[: probe["treeSize"]]]
    assert merkle.root_from_leaf_hashes(hashes) == _b64(probe["root"])
    assert merkle.inclusion_proof(hashes, probe["leafIdx"]) == _proof(probe["proof"])


@pytest.mark.shared
@pytest.mark.parametrize("path", _happy_paths("consistency"), ids=_probe_id)
def test_generated_consistency_proofs_equal_the_reference_happy_paths(path: Path):
    probe = json.loads(path.read_text())
    hashes = [merkle.leaf_hash(leaf) for leaf in RFC6962_LEAVES[: probe["size2"]]]
    assert merkle.root_from_leaf_hashes(hashes[: probe["size1"]]) == _b64(probe["root1"])
    assert merkle.root_from_leaf_hashes(hashes) == _b64(probe["root2"])
    assert merkle.consistency_proof(hashes, probe["size1"]) == _proof(probe["proof"])


@pytest.mark.parametrize(("size", "root_hex"), sorted(RFC6962_ROOTS.items()))
def test_the_rfc6962_test_tree_has_its_published_roots(size: int, root_hex: str):
    hashes = [merkle.leaf_hash(leaf) for leaf in RFC6962_LEAVES[:size]]
    assert merkle.root_from_leaf_hashes(hashes).hex() == root_hex


def test_the_empty_tree_hashes_to_sha256_of_nothing():
    assert merkle.root_from_leaf_hashes([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert merkle.CompactRange().root() == merkle.EMPTY_ROOT


def _naive_mth(hashes: list[bytes]) -> bytes:
    if not hashes:
        return merkle.EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return merkle.node_hash(_naive_mth(hashes[:k]), _naive_mth(hashes[k:]))


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=70), st.data())
def test_every_generated_proof_verifies_and_a_flipped_bit_does_not(size: int, data: st.DataObject):
    hashes = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    root = merkle.root_from_leaf_hashes(hashes)
    assert root == _naive_mth(hashes)
    compact = merkle.CompactRange()
    for h in hashes:
        compact.append(h)
    assert compact.root() == root

    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = merkle.inclusion_proof(hashes, index)
    merkle.verify_inclusion(index, size, hashes[index], proof, root)
    if proof:
        bad = list(proof)
        bad[0] = bytes([bad[0][0] ^ 1]) + bad[0][1:]
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(index, size, hashes[index], bad, root)

    size1 = data.draw(st.integers(min_value=1, max_value=size))
    root1 = merkle.root_from_leaf_hashes(hashes[:size1])
    cproof = merkle.consistency_proof(hashes, size1)
    merkle.verify_consistency(size1, size, cproof, root1, root)
    if size1 < size:
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(size1, size, cproof, root1, merkle.leaf_hash(b"other"))


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=80), st.data())
def test_the_levelled_tree_gives_the_same_roots_and_proofs_as_the_definitions(size: int, data: st.DataObject):
    hashes = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    tree = merkle.Tree(hashes)
    at = data.draw(st.integers(min_value=1, max_value=size))
    index = data.draw(st.integers(min_value=0, max_value=at - 1))
    size1 = data.draw(st.integers(min_value=1, max_value=at))
    assert tree.root(at) == _naive_mth(hashes[:at])
    assert tree.inclusion_proof(index, at) == merkle.inclusion_proof(hashes[:at], index)
    assert tree.consistency_proof(size1, at) == merkle.consistency_proof(hashes[:at], size1)


def test_the_levelled_tree_refuses_sizes_beyond_its_leaves():
    tree = merkle.Tree([merkle.leaf_hash(b"a")])
    assert tree.root(0) == merkle.EMPTY_ROOT
    with pytest.raises(ValueError, match=r"outside 0\.\.1"):
        tree.inclusion_proof(0, 2)


def test_proofs_for_impossible_positions_are_refused_when_generated():
    hashes = [merkle.leaf_hash(b"a")]
    with pytest.raises(ValueError, match="outside"):
        merkle.inclusion_proof(hashes, 1)
    with pytest.raises(ValueError, match="0 < size1"):
        merkle.consistency_proof(hashes, 0)
