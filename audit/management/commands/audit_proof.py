"""``manage.py audit_proof <event>``: print a proof that a third party can verify on its own.

Verify the output with ``python audit/verify_proof.py proof.json --public-key <key>``
(the procedure is in audit/README.md).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit import selectors
from audit.audit_actions import PROOF_ISSUED
from audit.services import AuditError, audit_record, checkpoint_create


class Command(BaseCommand):
    help = "Print an inclusion proof for an event (sequence number or id), or a consistency proof."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("event", nargs="?", help="event sequence number (42 or #42) or UUID")
        parser.add_argument(
            "--checkpoint-now", action="store_true", help="sign a new checkpoint first if none covers the event"
        )
        parser.add_argument(
            "--consistency",
            nargs=2,
            type=int,
            metavar=("SIZE1", "SIZE2"),
            help="instead: prove the checkpoint of SIZE2 extends the checkpoint of SIZE1",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["consistency"]:
                size1, size2 = options["consistency"]
                bundle = selectors.consistency_bundle(size1=size1, size2=size2)
                payload: dict[str, Any] = {"kind": "consistency", "size1": size1, "size2": size2}
            elif options["event"]:
                event = selectors.event_get(ref=options["event"])
                if options["checkpoint_now"]:
                    checkpoint_create()
                bundle = selectors.inclusion_bundle(event=event)
                payload = {"kind": "inclusion", "sequence": event.sequence, "tree_size": bundle["tree_size"]}
            else:
                raise CommandError("name an event, or use --consistency SIZE1 SIZE2")
        except (selectors.NotFound, selectors.NotYetSigned, AuditError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        audit_record(action=PROOF_ISSUED, actor=None, payload={**payload, "channel": "cli"})
        self.stdout.write(json.dumps(bundle, indent=2, sort_keys=True, ensure_ascii=False))
