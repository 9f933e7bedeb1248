#!/usr/bin/env python3
"""Verify a Tillit audit proof or export without Tillit: Python 3.11+ and ``cryptography`` only.

This file is deliberately self-contained (it imports nothing from Tillit or Django) so
that an auditor can copy it, read it in a few minutes, and run it:

    python verify_proof.py proof.json --public-key <base64 Ed25519 public key>
    python verify_proof.py consistency.json --public-key <key>
    python verify_proof.py export.jsonl --public-key <key>

The public key must come from a trusted channel (the operator's published key), not
from the file being checked. Exit status 0 means verified; 1 means it does not verify.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class NotVerified(Exception):
    pass


def event_hash(event: dict[str, Any]) -> str:
    """Step 1: SHA-256 of the event's canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


def leaf_hash(event_hash_hex: str) -> bytes:
    """Step 2: the Merkle leaf is SHA-256(0x00 || event hash)."""
    return hashlib.sha256(b"\x00" + bytes.fromhex(event_hash_hex)).digest()


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes:
    """Step 3: RFC 9162 section 2.1.3.2, folding the audit path from the leaf to the root."""
    if not 0 <= index < size:
        raise NotVerified("leaf index outside the tree")
    if any(len(h) != 32 for h in (leaf, *proof)):
        raise NotVerified("every hash must be 32 bytes")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise NotVerified("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise NotVerified("inclusion proof is too short")
    return r


def check_consistency(size1: int, size2: int, root1: bytes, root2: bytes, proof: list[bytes]) -> None:
    """RFC 9162 section 2.1.4.2: the tree (size2, root2) extends (size1, root1)."""
    if size1 <= 0 or size2 < size1:
        raise NotVerified("a consistency proof needs 0 < size1 <= size2")
    if size1 == size2:
        if proof or root1 != root2:
            raise NotVerified("equal sizes need an empty proof and equal roots")
        return
    if not proof or any(len(h) != 32 for h in (root1, root2, *proof)):
        raise NotVerified("a consistency proof needs a non-empty path of 32-byte hashes")
    if size1 & (size1 - 1) == 0:  # size1 is a power of two: its root starts the path
        proof = [root1, *proof]
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            raise NotVerified("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != root1 or sr != root2:
        raise NotVerified("consistency proof does not match the two roots")


def check_checkpoint(checkpoint: dict[str, Any], public_key_b64: str) -> tuple[int, bytes]:
    """Step 4: the Ed25519 signature over the checkpoint text; returns its (size, root)."""
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
    try:
        key.verify(base64.b64decode(checkpoint["signature"]), checkpoint["body"].encode("utf-8"))
    except InvalidSignature:
        raise NotVerified("checkpoint signature does not verify with the given public key") from None
    lines = checkpoint["body"].split("\n")
    return int(lines[1]), base64.b64decode(lines[2])


def _b64_list(values: list[str]) -> list[bytes]:
    return [base64.b64decode(v) for v in values]


def verify_inclusion_bundle(bundle: dict[str, Any], public_key: str) -> str:
    if event_hash(bundle["event"]) != bundle["event_hash"]:
        raise NotVerified("the event does not hash to event_hash: its content was changed")
    size, root = check_checkpoint(bundle["checkpoint"], public_key)
    if size != bundle["tree_size"]:
        raise NotVerified("the proof is for a different tree size than the checkpoint")
    leaf = leaf_hash(bundle["event_hash"])
    if root_from_inclusion(bundle["leaf_index"], size, leaf, _b64_list(bundle["inclusion_proof"])) != root:
        raise NotVerified("the inclusion proof does not lead to the signed root")
    return f"event #{bundle['event']['sequence']} is included in the signed log of {size} events"


def verify_consistency_bundle(bundle: dict[str, Any], public_key: str) -> str:
    size1, root1 = check_checkpoint(bundle["checkpoint1"], public_key)
    size2, root2 = check_checkpoint(bundle["checkpoint2"], public_key)
    check_consistency(size1, size2, root1, root2, _b64_list(bundle["consistency_proof"]))
    return f"the signed log of {size2} events extends the signed log of {size1} events"


def verify_export(lines: list[dict[str, Any]], public_key: str) -> str:
    header = lines[0]
    events = [line for line in lines if line["type"] == "event"]
    proofs = {line["sequence"]: line for line in lines if line["type"] == "inclusion_proof"}
    checkpoints = [line for line in lines if line["type"] == "checkpoint"]
    unsigned = {s for line in lines if line["type"] == "unsigned" for s in line["sequences"]}
    if len(events) != header["events"]:
        raise NotVerified("the export has a different number of events than its header says")
    for i, item in enumerate(events):
        if event_hash(item["event"]) != item["event_hash"]:
            raise NotVerified(f"event #{item['event']['sequence']} does not hash to its event_hash")
        if header["contiguous"] and i and item["event"]["prev_hash"] != events[i - 1]["event_hash"]:
            raise NotVerified(f"event #{item['event']['sequence']} does not link to the event before it")
    if proofs:
        size, root = check_checkpoint(checkpoints[0], public_key)
        for sequence, proof in proofs.items():
            leaf = leaf_hash(proof["event_hash"])
            path = _b64_list(proof["inclusion_proof"])
            if proof["tree_size"] != size or root_from_inclusion(proof["leaf_index"], size, leaf, path) != root:
                raise NotVerified(f"the inclusion proof of event #{sequence} does not lead to the signed root")
    hashes = {item["event"]["sequence"]: item["event_hash"] for item in events}
    covered = set(proofs) if not header["contiguous"] else set(hashes) if proofs else set()
    for sequence, proof in proofs.items():
        if hashes.get(sequence) != proof["event_hash"]:
            raise NotVerified(f"the proof of event #{sequence} is for a different event")
    missing = set(hashes) - covered - unsigned
    if missing:
        raise NotVerified(f"events {sorted(missing)} are neither proven nor declared unsigned")
    return f"{len(events)} events verified ({len(unsigned)} not yet signed)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Tillit audit proof, consistency proof or export.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--public-key", required=True, help="base64 raw Ed25519 public key of the log")
    args = parser.parse_args(argv)
    text = args.file.read_text(encoding="utf-8")
    try:
        if args.file.suffix == ".jsonl":
            message = verify_export([json.loads(line) for line in text.splitlines() if line.strip()], args.public_key)
        else:
            bundle = json.loads(text)
            if bundle.get("format") == "tillit-audit-consistency/v1":
                message = verify_consistency_bundle(bundle, args.public_key)
            else:
                message = verify_inclusion_bundle(bundle, args.public_key)
    except (NotVerified, KeyError, ValueError, IndexError) as exc:
        print(f"NOT VERIFIED: {exc}")
        return 1
    print(f"VERIFIED: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
