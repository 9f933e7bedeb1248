"""``manage.py audit_export``: write a date range or a customer's history as verifiable JSON lines."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime

from audit import selectors
from audit.audit_actions import EXPORT_CREATED
from audit.services import audit_record


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        day = parse_date(text)
    except ValueError:
        day = None
    moment = datetime.combine(day, time.min, tzinfo=UTC) if day else parse_datetime(text)
    if moment is None or moment.tzinfo is None:
        raise CommandError(f"{text!r} is not an ISO 8601 date or a datetime with a time zone")
    return moment


class Command(BaseCommand):
    help = "Export audit events (JSON lines) with the proofs and checkpoint that verify them."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="start", help="first instant (ISO 8601, inclusive)")
        parser.add_argument("--to", dest="end", help="last instant (ISO 8601, exclusive)")
        parser.add_argument("--customer", help="a customer id: its full history")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _moment(options["start"]), _moment(options["end"])
        events = selectors.event_list(
            occurred_after=start, occurred_before=end, customer_id=options["customer"] or None
        )
        description = {
            "from": options["start"],
            "to": options["end"],
            "customer_id": options["customer"],
        }
        out = open(options["output"], "w", encoding="utf-8") if options["output"] else sys.stdout
        count = 0
        try:
            for line in selectors.export_lines(events, description=description):
                out.write(line + "\n")
                count += 1
        finally:
            if out is not sys.stdout:
                out.close()
        audit_record(action=EXPORT_CREATED, actor=None, payload={**description, "channel": "cli", "lines": count})
