"""Logs are structured, carry the correlation id, and are JSON when asked."""

from __future__ import annotations

import json
import logging

from common.correlation import bind_correlation_id
from common.logging import build_formatter, get_logger


def _capture(fmt: str, emit) -> str:
    stream = logging.StreamHandler(stream=__import__("io").StringIO())
    stream.setFormatter(build_formatter(fmt))
    logger = logging.getLogger("tillit.test.logging")
    logger.addHandler(stream)
    logger.setLevel(logging.INFO)
    try:
        emit(logger)
    finally:
        logger.removeHandler(stream)
    return stream.stream.getvalue()


def test_json_logs_are_one_object_per_line_with_the_correlation_id():
    bind_correlation_id("cid-logging-0001")
    try:
        output = _capture("json", lambda _: get_logger("tillit.test.logging").info("case.submitted", case="c-1"))
    finally:
        bind_correlation_id(None)
    line = json.loads(output.strip())
    assert line["event"] == "case.submitted"
    assert line["case"] == "c-1"
    assert line["correlation_id"] == "cid-logging-0001"
    assert line["level"] == "info"
    assert line["timestamp"].endswith("Z")


def test_plain_stdlib_log_records_get_the_same_structure():
    bind_correlation_id("cid-logging-0002")
    try:
        output = _capture("json", lambda logger: logger.warning("from a library"))
    finally:
        bind_correlation_id(None)
    line = json.loads(output.strip())
    assert line["event"] == "from a library"
    assert line["correlation_id"] == "cid-logging-0002"
