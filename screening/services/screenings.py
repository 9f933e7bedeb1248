"""Screening writes: run one subject, submit and process batches, mark false positives.

Every screening is stored with what is needed to replay it and audited in the same transaction:
the input as tokens and masked values, the list versions, the algorithm version, the thresholds,
the matches with scores and explanations, and the outcome.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from audit.services import audit_record
from common.logging import get_logger
from common.prepared import PreparedQuery, insert_rows
from screening import screenings_audit as actions
from screening.engine import (
    ALGORITHM_NAME,
    ALGORITHM_VERSION,
    DEFAULT_THRESHOLD,
    DEFAULT_THRESHOLDS,
    InvalidQuery,
    Match,
    Query,
    Suppression,
    Thresholds,
    screen,
)
from screening.engine.thresholds import DEFAULT_SCHEMA_THRESHOLDS
from screening.metrics import screening_observed
from screening.models import (
    BatchChunk,
    BatchScreening,
    FalsePositive,
    ListEntry,
    Screening,
    ScreeningMatch,
    Source,
)
from screening.models.screenings import BatchStatus, Channel, Outcome
from screening.runtime import NoActiveLists, Snapshot, runtime
from vault import keyring
from vault.crypto import mask, token_for
from vault.services import secret_open, secret_seal

log = get_logger(__name__)

MAX_BATCH = 10_000
DEFAULT_LIMIT = 10
STAFF_OWNER = "staff"
PROGRESS_EVERY = 25


class ScreeningInputError(ValueError):
    """A subject cannot be screened; ``field`` names the offending input (never echoes identifiers)."""

    def __init__(self, message: str, *, field: str = "name") -> None:
        self.field = field
        super().__init__(message)


class FalsePositiveError(ValueError):
    """A false-positive mark is refused (bad reason code, match not suppressible)."""


class ReasonCode:
    """Why an officer says a match is not the subject."""

    DIFFERENT_PERSON = "different_person"
    DIFFERENT_BIRTH_DATE = "different_birth_date"
    DIFFERENT_NATIONALITY = "different_nationality"
    DIFFERENT_ENTITY_TYPE = "different_entity_type"
    OTHER = "other"

    choices = (
        (DIFFERENT_PERSON, "Another person or organisation with a similar name"),
        (DIFFERENT_BIRTH_DATE, "Birth date rules the entry out"),
        (DIFFERENT_NATIONALITY, "Nationality or country rules the entry out"),
        (DIFFERENT_ENTITY_TYPE, "Different kind of party (person, company, vessel ...)"),
        (OTHER, "Other reason, explained in the note"),
    )
    values = frozenset(code for code, _ in choices)


# --------------------------------------------------------------------------- who asked
@dataclass(frozen=True)
class Requester:
    """The caller of a screening resolved to its tenant: an API client, or the firm's staff."""

    api_client: Any  # accounts.ApiClient or None
    user: Any  # accounts.User or None
    audit_actor: Any  # what audit_record records

    @property
    def owner_key(self) -> str:
        return f"client:{self.api_client.pk}" if self.api_client is not None else STAFF_OWNER


def requester_for(actor: Any) -> Requester:
    """Map a request principal (user, API-key principal, ApiClient row, or None = system) to its tenant."""
    if actor is None:
        return Requester(api_client=None, user=None, audit_actor=None)
    client = getattr(actor, "client", None) if hasattr(actor, "key") else None
    if client is None and type(actor).__name__ == "ApiClient":
        client = actor
    if client is not None:
        return Requester(api_client=client, user=None, audit_actor=client)
    return Requester(api_client=None, user=actor, audit_actor=actor)


# --------------------------------------------------------------------------- configuration
def configured_thresholds() -> Thresholds:
    """Thresholds from ``TILLIT_SCREENING_THRESHOLDS`` ({default, by_source, by_schema, by_source_schema})."""
    conf = getattr(settings, "TILLIT_SCREENING_THRESHOLDS", None)
    if not conf:
        return DEFAULT_THRESHOLDS
    return thresholds_from_record(conf)


def thresholds_record(thresholds: Thresholds) -> dict[str, Any]:
    """A JSON form of a thresholds configuration (stored with every screening)."""
    return {
        "default": thresholds.default,
        "by_source": dict(sorted(thresholds.by_source.items())),
        "by_schema": dict(sorted(thresholds.by_schema.items())),
        "by_source_schema": {f"{s}/{k}": v for (s, k), v in sorted(thresholds.by_source_schema.items())},
    }


def thresholds_from_record(record: Mapping[str, Any]) -> Thresholds:
    """A thresholds configuration from its JSON form; a missing part takes the engine's default.

    Stored records (``thresholds_record``) always carry every part, so they read back exactly; a
    setting or a new release that leaves out ``by_schema`` keeps the engine's per-kind defaults
    (organisations from 0.85) rather than silently dropping them.
    """
    pairs = record.get("by_source_schema") or {}
    by_schema = record["by_schema"] if "by_schema" in record else DEFAULT_SCHEMA_THRESHOLDS
    return Thresholds(
        default=float(record.get("default", DEFAULT_THRESHOLD)),
        by_source={k: float(v) for k, v in (record.get("by_source") or {}).items()},
        by_schema={k: float(v) for k, v in (by_schema or {}).items()},
        by_source_schema={tuple(k.split("/", 1)): float(v) for k, v in pairs.items()},  # type: ignore[misc]
    )


# --------------------------------------------------------------------------- input
@dataclass(frozen=True)
class Subject:
    """A validated subject: the caller's reference plus the engine query."""

    reference: str
    query: Query

    @property
    def key(self) -> str:
        return subject_key(self.reference, self.query)


def parse_subject(data: Any) -> Subject:
    """Validate one input record (the CLI line / API body shape); ScreeningInputError names the field."""
    if not isinstance(data, Mapping):
        raise ScreeningInputError("each subject must be an object", field="subject")
    reference = data.get("reference", data.get("id", ""))
    if reference is None:
        reference = ""
    if not isinstance(reference, str | int):
        raise ScreeningInputError("id must be a string", field="id")
    reference = str(reference)
    if len(reference) > 200:
        raise ScreeningInputError("id is longer than 200 characters", field="id")
    if any(ord(ch) < 32 for ch in reference):
        raise ScreeningInputError("id contains a control character", field="id")
    try:
        query = Query.from_dict({**data, "id": ""})
    except InvalidQuery as exc:
        raise ScreeningInputError(str(exc), field=exc.field) from None
    return Subject(reference=reference, query=query)


def subject_key(reference: str, query: Query) -> str:
    """What false positives attach to: the caller's reference with the name, schema and birth date screened.

    A new name or birth date for the same reference is a new subject, so an old decision does not
    silently cover facts the officer never saw.
    """
    name = " ".join(query.name.casefold().split())
    basis = "\x00".join((reference, query.schema, name, query.birth_date or ""))
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def mask_name(name: str) -> str:
    """``Usama bin Laden`` -> ``U*** b*** L***`` (audit payloads carry no screened name)."""
    return " ".join(word[:1] + "***" for word in name.split())


def mask_birth_date(value: str | None) -> str:
    """Only the year is kept: ``1957-03-10`` -> ``1957-**-**``."""
    if not value:
        return ""
    year, _, rest = value.partition("-")
    return year + ("-**" * (rest.count("-") + 1) if rest else "")


def normalise_identifier(number: str) -> str:
    """Letters and digits only, upper case: "AB 123-456" and "ab123456" get the same token."""
    return "".join(ch for ch in number.upper() if ch.isalnum())


def _identifier_rows(query: Query, ring: Any) -> list[dict[str, str]]:
    rows = []
    for identifier in query.identifiers:
        normalised = normalise_identifier(identifier.number) or identifier.number.strip()
        rows.append(
            {
                "type": identifier.type[:40],
                "masked": mask(identifier.number),
                "token": token_for(ring, "screening_identifier", normalised),
            }
        )
    return rows


def _seal_identifiers(screening_id: uuid.UUID, query: Query) -> bytes | None:
    if not query.identifiers:
        return None
    plain = [{"type": i.type, "number": i.number, "country": i.country} for i in query.identifiers]
    return secret_seal(
        json.dumps(plain, ensure_ascii=False).encode("utf-8"),
        table=Screening._meta.db_table,
        record_id=str(screening_id),
        field="identifiers_sealed",
    )


def screening_query(screening: Screening) -> Query:
    """The engine query a stored screening ran (identifiers opened from the vault), for replay."""
    from screening.lists.record import Identifier

    identifiers: list[Identifier] = []
    if screening.identifiers_sealed:
        raw = secret_open(
            bytes(screening.identifiers_sealed),
            table=Screening._meta.db_table,
            record_id=str(screening.pk),
            field="identifiers_sealed",
        )
        identifiers = [Identifier(**item) for item in json.loads(raw)]
    return Query(
        id=screening.subject_key,
        name=screening.name,
        schema=screening.schema,
        birth_date=screening.birth_date or None,
        countries=tuple(screening.countries),
        identifiers=tuple(identifiers),
        gender=screening.gender or None,
    )


def check_sources(codes: Sequence[str] | None) -> list[str] | None:
    """Known source codes, sorted; ScreeningInputError for an unknown one."""
    if codes is None:
        return None
    wanted = sorted(set(codes))
    if not wanted:
        raise ScreeningInputError("give at least one source code, or leave sources out", field="sources")
    known = set(Source.objects.filter(code__in=wanted).values_list("code", flat=True))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise ScreeningInputError(f"unknown source code(s): {', '.join(unknown)}", field="sources")
    return wanted


def check_threshold(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
        raise ScreeningInputError("threshold must be a number between 0 and 1", field="threshold")
    return float(value)


# --------------------------------------------------------------------------- the engine call
@dataclass(frozen=True)
class EngineResult:
    matches: list[Match]
    suppressed: list[dict[str, str]]
    candidates: int = 0  # listed names the engine scored (for metrics)


def run_engine(
    snapshot: Snapshot,
    query: Query,
    *,
    threshold: float | None,
    thresholds: Thresholds,
    sources: Sequence[str] | None,
    limit: int,
    suppressions: Iterable[Suppression],
    algorithm: Any = None,
) -> EngineResult:
    """Screen against a snapshot; matches an officer suppressed (same entry content) are set apart.

    ``algorithm`` is a runnable version (``screening.engine.releases``); None runs the installed one.
    """
    suppressed_set = frozenset(suppressions)
    stats: dict[str, int] = {}
    found = (algorithm.run if algorithm is not None else screen)(
        snapshot.index,
        query,
        threshold=threshold,
        thresholds=thresholds,
        sources=set(sources) if sources is not None else None,
        limit=limit + len(suppressed_set),
        stats=stats,
    )
    kept: list[Match] = []
    dropped: list[dict[str, str]] = []
    for match in found:
        if Suppression(query.id, match.entity, match.content_hash) in suppressed_set:
            dropped.append({"entity": match.entity, "content_hash": match.content_hash})
        elif len(kept) < limit:
            kept.append(match)
    return EngineResult(matches=kept, suppressed=dropped, candidates=stats.get("candidates", 0))


# Every screening reads its tenant's false positives for the subject: compiled once (common.prepared).
_SUPPRESSIONS = PreparedQuery(
    lambda owner_key, key: FalsePositive.objects.filter(owner_key=owner_key, subject_key=key).values_list(
        "entity", "content_hash"
    ),
    arity=2,
)


def suppressions_for(*, owner_key: str, key: str) -> list[Suppression]:
    """The tenant's false-positive marks for this subject."""
    return [Suppression(key, entity, content_hash) for entity, content_hash in _SUPPRESSIONS.rows(owner_key, key)]


def _entry_ids(snapshot: Snapshot, matches: list[Match]) -> dict[str, Any]:
    """ListEntry primary keys of the matched entities in the snapshot's versions (memoised per snapshot)."""
    known = snapshot.entry_ids
    missing = [match.entity for match in matches if match.entity not in known]
    if missing:
        versions = snapshot.version_map
        condition = Q()
        for entity in missing:
            code, _, ref = entity.partition(":")
            condition |= Q(version_id=versions.get(code), ref=ref)
        for pk, ref, code in ListEntry.objects.filter(condition).values_list("pk", "ref", "version__source__code"):
            known[f"{code}:{ref}"] = pk
    return {match.entity: known.get(match.entity) for match in matches}


def match_record(match: Match) -> dict[str, Any]:
    """A match as stored in the audit payload and compared by replay."""
    return {
        "entity": match.entity,
        "listed_name": match.name,
        "source": match.source,
        "schema": match.schema,
        "topics": list(match.topics),
        "score": match.score,
        "threshold": match.threshold,
        "content_hash": match.content_hash,
        "explanation": match.explanation,
    }


def stored_match_record(row: ScreeningMatch) -> dict[str, Any]:
    return {
        "entity": row.entity,
        "listed_name": row.listed_name,
        "source": row.source,
        "schema": row.schema,
        "topics": list(row.topics),
        "score": row.score,
        "threshold": row.threshold,
        "content_hash": row.content_hash,
        "explanation": row.explanation,
    }


# --------------------------------------------------------------------------- single screening
def request_fingerprint(data: Any) -> str:
    """Keyed hash of a request body in canonical JSON (idempotency: same key, same body).

    Keyed (HMAC with the secret key), because the body may hold identifiers: a plain hash of a name
    and a passport number could be confirmed by guessing.
    """
    canonical = json.dumps(data, sort_keys=True, default=str)
    return salted_hmac("tillit.screening.idempotency", canonical, algorithm="sha256").hexdigest()


def screening_find_idempotent(*, actor: Any, idempotency_key: str, request_hash: str) -> Screening | None:
    """The screening an earlier request with the same Idempotency-Key created, if any."""
    if not idempotency_key:
        return None
    owner = requester_for(actor).owner_key
    existing = Screening.objects.filter(owner_key=owner, idempotency_key=idempotency_key).first()
    if existing is not None and existing.request_hash != request_hash:
        raise ScreeningInputError("this Idempotency-Key was used with a different request", field="idempotency_key")
    return existing


@transaction.atomic
def screening_run(
    *,
    actor: Any,
    subject: Subject,
    threshold: float | None = None,
    sources: Sequence[str] | None = None,
    channel: str = Channel.API,
    batch: BatchScreening | None = None,
    batch_line: int | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
    limit: int = DEFAULT_LIMIT,
) -> Screening:
    """Screen one validated subject against the current index, store the result and audit it.

    Raises ``screening.runtime.NoActiveLists`` when no watchlist is loaded (nothing is stored).
    """
    from screening.services import releases

    started = time.perf_counter()
    requester = requester_for(actor)
    plan = releases.release_plan()
    snapshot = releases.snapshot_for_algorithm(plan.live.algorithm, runtime.current())
    thresholds = plan.live.thresholds
    key = subject.key
    query = dataclasses.replace(subject.query, id=key)
    result = run_engine(
        snapshot,
        query,
        threshold=threshold,
        thresholds=thresholds,
        sources=sources,
        limit=limit,
        suppressions=suppressions_for(owner_key=requester.owner_key, key=key),
        algorithm=plan.live.algorithm,
    )
    entry_ids = _entry_ids(snapshot, result.matches)
    screening_id = uuid.uuid4()
    ring = keyring.token_ring()
    identifier_rows = _identifier_rows(query, ring)
    screening = Screening(
        id=screening_id,
        api_client=requester.api_client,
        requested_by=requester.user,
        owner_key=requester.owner_key,
        channel=channel,
        batch=batch,
        batch_line=batch_line,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        reference=subject.reference,
        subject_key=key,
        name=query.name,
        schema=query.schema,
        birth_date=query.birth_date or "",
        countries=list(query.countries),
        gender=query.gender or "",
        identifiers=identifier_rows,
        identifiers_sealed=_seal_identifiers(screening_id, query),
        sources=list(sources) if sources is not None else None,
        threshold=threshold,
        thresholds=thresholds_record(thresholds),
        max_matches=limit,
        list_versions=snapshot.record,
        algorithm=plan.live.algorithm.name,
        algorithm_version=plan.live.algorithm.version,
        release_id=plan.live.id,
        suppressed=result.suppressed,
        outcome=Outcome.POTENTIAL_MATCH if result.matches else Outcome.CLEAR,
        match_count=len(result.matches),
        duration_ms=0.0,
    )
    rows = [
        ScreeningMatch(
            screening=screening,
            rank=rank,
            entity=match.entity,
            list_entry_id=entry_ids.get(match.entity),
            source=match.source,
            listed_name=match.name[:500],
            schema=match.schema,
            topics=list(match.topics),
            score=match.score,
            threshold=match.threshold,
            explanation=match.explanation,
            content_hash=match.content_hash,
        )
        for rank, match in enumerate(result.matches, start=1)
    ]
    screening.duration_ms = round((time.perf_counter() - started) * 1000, 3)
    insert_rows([screening], rows)  # one INSERT statement for the screening and its matches on PostgreSQL
    audit_record(
        action=actions.SUBJECT_SCREENED,
        actor=requester.audit_actor,
        target=screening,
        payload=_audit_payload(screening, query, result, ring),
    )
    screening_observed(screening, matches=rows, candidates=result.candidates)
    if batch is None:  # a batch chunk queues its shadow evaluations once, for the whole chunk
        releases.shadow_after_screening(screening=screening, plan=plan)
    screening.prefetched_matches = rows  # type: ignore[attr-defined]
    return screening


def _audit_payload(screening: Screening, query: Query, result: EngineResult, ring: Any) -> dict[str, Any]:
    subject = {
        "reference_hash": hashlib.sha256(screening.reference.encode()).hexdigest() if screening.reference else "",
        "subject_token": token_for(ring, "screening_subject", screening.subject_key),
        "name_token": token_for(ring, "screening_name", " ".join(query.name.casefold().split())),
        "name_masked": mask_name(query.name),
        "schema": query.schema,
        "birth_date_masked": mask_birth_date(query.birth_date),
        "countries": list(query.countries),
        "gender_present": bool(query.gender),
        "identifiers_masked": [
            {"identifier_type": row["type"], "identifier_masked": row["masked"], "identifier_token": row["token"]}
            for row in screening.identifiers
        ],
    }
    return {
        "screening_id": screening.pk,
        "channel": screening.channel,
        "batch_id": screening.batch_id,
        "batch_line": screening.batch_line,
        "subject": subject,
        "sources": screening.sources,
        "threshold": screening.threshold,
        "thresholds": screening.thresholds,
        "max_matches": screening.max_matches,
        "list_versions": screening.list_versions,
        "algorithm": {"algorithm_name": screening.algorithm, "algorithm_version": screening.algorithm_version},
        "matches": [match_record(m) for m in result.matches],
        "suppressed": result.suppressed,
        "outcome": screening.outcome,
        "match_count": screening.match_count,
        "duration_ms": screening.duration_ms,
    }


# --------------------------------------------------------------------------- batches
def chunk_size() -> int:
    return int(getattr(settings, "TILLIT_SCREENING_BATCH_CHUNK", 200))


@transaction.atomic
def screening_batch_submit(
    *,
    actor: Any,
    subjects: Sequence[Any],
    threshold: float | None = None,
    sources: Sequence[str] | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
) -> tuple[BatchScreening, bool]:
    """Validate every subject (bad ones become per-line errors), store the chunks, enqueue their tasks.

    Returns (batch, created); a repeated Idempotency-Key with the same body returns the first batch.
    """
    if not subjects:
        raise ScreeningInputError("give at least one subject", field="subjects")
    if len(subjects) > MAX_BATCH:
        raise ScreeningInputError(f"at most {MAX_BATCH} subjects per batch", field="subjects")
    requester = requester_for(actor)
    if idempotency_key:
        existing = BatchScreening.objects.filter(owner_key=requester.owner_key, idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.request_hash != request_hash:
                raise ScreeningInputError(
                    "this Idempotency-Key was used with a different request", field="idempotency_key"
                )
            return existing, False
    threshold = check_threshold(threshold)
    sources = check_sources(sources)
    valid: list[tuple[int, dict[str, Any]]] = []
    errors: list[dict[str, Any]] = []
    for line, data in enumerate(subjects, start=1):
        try:
            parse_subject(data)
        except ScreeningInputError as exc:
            errors.append({"line": line, "field": exc.field, "message": str(exc)})
            continue
        valid.append((line, dict(data)))
    batch = BatchScreening(
        api_client=requester.api_client,
        requested_by=requester.user,
        owner_key=requester.owner_key,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        total=len(subjects),
        invalid_count=len(errors),
        errors=errors,
        sources=sources,
        threshold=threshold,
        status=BatchStatus.RUNNING if valid else BatchStatus.COMPLETED,
        finished_at=None if valid else timezone.now(),
    )
    batch.full_clean()
    batch.save(force_insert=True)
    size = chunk_size()
    chunks = []
    for number, start in enumerate(range(0, len(valid), size), start=1):
        part = valid[start : start + size]
        chunk = BatchChunk(id=uuid.uuid4(), batch=batch, number=number, size=len(part))
        chunk.subjects_sealed = secret_seal(
            json.dumps(part, ensure_ascii=False).encode("utf-8"),
            table=BatchChunk._meta.db_table,
            record_id=str(chunk.id),
            field="subjects_sealed",
        )
        chunks.append(chunk)
    BatchChunk.objects.bulk_create(chunks)
    audit_record(
        action=actions.BATCH_SUBMITTED,
        actor=requester.audit_actor,
        target=batch,
        payload={
            "batch_id": batch.pk,
            "subject_count": batch.total,
            "invalid_count": batch.invalid_count,
            "chunk_count": len(chunks),
            "sources": sources,
            "threshold": threshold,
        },
    )
    chunk_ids = [str(chunk.id) for chunk in chunks]
    if chunk_ids:
        transaction.on_commit(lambda: _enqueue_chunks(chunk_ids))
    return batch, True


def _enqueue_chunks(chunk_ids: list[str]) -> None:
    from celery import group

    from screening.tasks_screenings import batch_chunk_task

    group(batch_chunk_task.si(chunk_id) for chunk_id in chunk_ids).apply_async()


def _batch_actor(batch: BatchScreening) -> Any:
    return batch.api_client if batch.api_client_id else batch.requested_by


def screening_batch_chunk_process(*, chunk_id: str) -> BatchChunk | None:
    """Screen every subject of a chunk not screened yet (a redelivered task resumes where it stopped)."""
    chunk = (
        BatchChunk.objects.select_related("batch", "batch__api_client", "batch__requested_by")
        .filter(pk=chunk_id)
        .first()
    )
    if chunk is None or chunk.done:
        return chunk
    batch = chunk.batch
    part: list[list[Any]] = []
    if chunk.subjects_sealed:
        raw = secret_open(
            bytes(chunk.subjects_sealed),
            table=BatchChunk._meta.db_table,
            record_id=str(chunk.pk),
            field="subjects_sealed",
        )
        part = json.loads(raw)
    lines = [line for line, _ in part]
    done_lines = set(Screening.objects.filter(batch=batch, batch_line__in=lines).values_list("batch_line", flat=True))
    errors = [e for e in chunk.errors if e["line"] not in done_lines]
    failed_lines = {e["line"] for e in errors}
    actor = _batch_actor(batch)
    since_update = 0
    for line, data in part:
        if line in done_lines or line in failed_lines:
            continue
        try:
            screening_run(
                actor=actor,
                subject=parse_subject(data),
                threshold=batch.threshold,
                sources=batch.sources,
                channel=Channel.BATCH,
                batch=batch,
                batch_line=line,
            )
            done_lines.add(line)
        except ScreeningInputError as exc:
            errors.append({"line": line, "field": exc.field, "message": str(exc)})
            failed_lines.add(line)
        except IntegrityError:
            # The same line was screened by a redelivered copy of this task meanwhile.
            if Screening.objects.filter(batch=batch, batch_line=line).exists():
                done_lines.add(line)
            else:
                raise
        except (OperationalError, NoActiveLists):
            raise  # transient: the task retries the chunk and resumes after the lines already screened
        except Exception:
            # A bug must not sink the other lines: record it (no subject data in the log) and go on.
            log.exception("screening.batch.line_failed", batch=str(batch.pk), line=line)
            errors.append({"line": line, "field": "record", "message": "internal error while screening this line"})
            failed_lines.add(line)
        since_update += 1
        if since_update >= PROGRESS_EVERY:
            BatchChunk.objects.filter(pk=chunk.pk).update(
                processed=len(done_lines), failed=len(failed_lines), errors=errors
            )
            since_update = 0
    with transaction.atomic():
        BatchChunk.objects.filter(pk=chunk.pk).update(
            processed=len(done_lines), failed=len(failed_lines), errors=errors, done=True, subjects_sealed=None
        )
        _finish_batch_if_done(batch)
    from screening.services.releases import shadow_after_batch_chunk

    shadow_after_batch_chunk(batch=batch, lines=sorted(done_lines))
    chunk.refresh_from_db()
    return chunk


def _finish_batch_if_done(batch: BatchScreening) -> None:
    locked = BatchScreening.objects.select_for_update().get(pk=batch.pk)
    if locked.status == BatchStatus.COMPLETED or locked.chunks.filter(done=False).exists():
        return
    locked.status = BatchStatus.COMPLETED
    locked.finished_at = timezone.now()
    locked.save(update_fields=["status", "finished_at", "updated_at"])
    progress = batch_progress(locked)
    audit_record(
        action=actions.BATCH_COMPLETED,
        actor=None,
        target=locked,
        payload={"batch_id": locked.pk, **{f"{k}_count": v for k, v in progress.items()}},
    )


def batch_progress(batch: BatchScreening) -> dict[str, int]:
    """Counts of a batch: total, screened, failed (refused at submission or while screening), pending."""
    from django.db.models import Sum

    sums = batch.chunks.aggregate(processed=Sum("processed"), failed=Sum("failed"))
    screened = sums["processed"] or 0
    failed = batch.invalid_count + (sums["failed"] or 0)
    return {"total": batch.total, "screened": screened, "failed": failed, "pending": batch.total - screened - failed}


# --------------------------------------------------------------------------- false positives
@transaction.atomic
def false_positive_mark(*, actor: Any, match: ScreeningMatch, reason_code: str, note: str = "") -> FalsePositive:
    """Suppress this (subject, entry) for the screening's tenant until the entry's content changes.

    Marking the same pair again returns the existing decision (one event).
    """
    if reason_code not in ReasonCode.values:
        raise FalsePositiveError(f"reason_code must be one of {', '.join(sorted(ReasonCode.values))}")
    if reason_code == ReasonCode.OTHER and not note.strip():
        raise FalsePositiveError("explain the reason in the note when the reason code is 'other'")
    screening = match.screening
    existing = FalsePositive.objects.filter(
        owner_key=screening.owner_key,
        subject_key=screening.subject_key,
        entity=match.entity,
        content_hash=match.content_hash,
    ).first()
    if existing is not None:
        return existing
    decision = FalsePositive(
        owner_key=screening.owner_key,
        subject_key=screening.subject_key,
        entity=match.entity,
        content_hash=match.content_hash,
        screening=screening,
        match=match,
        marked_by=actor,
        reason=f"{reason_code}: {note.strip()}" if note.strip() else reason_code,
    )
    decision.full_clean()
    decision.save(force_insert=True)
    audit_record(
        action=actions.FALSE_POSITIVE_MARKED,
        actor=actor,
        target=decision,
        payload={
            "screening_id": screening.pk,
            "match_id": match.pk,
            "entity": match.entity,
            "content_hash": match.content_hash,
            "score": match.score,
            "subject_token": token_for(keyring.token_ring(), "screening_subject", screening.subject_key),
            "owner_kind": "api_client" if screening.api_client_id else "staff",
            "reason_code": reason_code,
            "note_hash": hashlib.sha256(note.strip().encode()).hexdigest() if note.strip() else "",
        },
    )
    return decision


# --------------------------------------------------------------------------- replay
class ReplayRefused(RuntimeError):
    """A screening cannot be replayed faithfully (other algorithm version, list version gone)."""


@dataclass(frozen=True)
class ReplayResult:
    screening: Screening
    identical: bool
    stored: list[dict[str, Any]]
    replayed: list[dict[str, Any]]
    stored_suppressed: list[dict[str, str]]
    replayed_suppressed: list[dict[str, str]]

    def differences(self) -> list[str]:
        """Human-readable differences between the stored and the replayed result."""
        out: list[str] = []
        stored = {m["entity"]: m for m in self.stored}
        replayed = {m["entity"]: m for m in self.replayed}
        for entity in sorted(stored.keys() - replayed.keys()):
            out.append(f"{entity}: stored (score {stored[entity]['score']}) but not found on replay")
        for entity in sorted(replayed.keys() - stored.keys()):
            out.append(f"{entity}: found on replay (score {replayed[entity]['score']}) but not stored")
        for entity in sorted(stored.keys() & replayed.keys()):
            for field in stored[entity]:
                if stored[entity][field] != replayed[entity].get(field):
                    out.append(f"{entity}: {field} differs")
        if not out and [m["entity"] for m in self.stored] != [m["entity"] for m in self.replayed]:
            out.append("the matches come in a different order")
        if self.stored_suppressed != self.replayed_suppressed:
            out.append("the suppressed matches differ")
        return out


@transaction.atomic
def screening_replay(*, screening: Screening, actor: Any = None) -> ReplayResult:
    """Re-run a stored screening on its recorded list versions, algorithm version, thresholds and suppressions.

    Raises ReplayRefused when the recorded algorithm version is not runnable here (see
    ``screening.engine.releases``) or a recorded list version is gone: a replay that is not
    faithful would prove nothing.
    """
    from screening.engine.releases import UnknownAlgorithm, runnable
    from screening.runtime import snapshot_for_versions
    from screening.services.releases import snapshot_for_algorithm

    try:
        algorithm = runnable(screening.algorithm, screening.algorithm_version)
    except UnknownAlgorithm:
        raise ReplayRefused(
            f"screening {screening.pk} was made with {screening.algorithm} {screening.algorithm_version}; "
            f"this installation runs {ALGORITHM_NAME} {ALGORITHM_VERSION}. Replay it with that algorithm version."
        ) from None
    try:
        snapshot = snapshot_for_algorithm(algorithm, snapshot_for_versions(screening.list_versions))
    except LookupError as exc:
        raise ReplayRefused(str(exc)) from None
    query = screening_query(screening)
    suppressions = [Suppression(screening.subject_key, s["entity"], s["content_hash"]) for s in screening.suppressed]
    result = run_engine(
        snapshot,
        query,
        threshold=screening.threshold,
        thresholds=thresholds_from_record(screening.thresholds),
        sources=screening.sources,
        limit=screening.max_matches,
        suppressions=suppressions,
        algorithm=algorithm,
    )
    stored = [stored_match_record(row) for row in screening.matches.order_by("rank")]
    replayed = [match_record(match) for match in result.matches]
    identical = stored == replayed and list(screening.suppressed) == result.suppressed
    audit_record(
        action=actions.SCREENING_REPLAYED,
        actor=actor,
        target=screening,
        payload={
            "screening_id": screening.pk,
            "identical": identical,
            "list_versions": screening.list_versions,
            "algorithm": {"algorithm_name": algorithm.name, "algorithm_version": algorithm.version},
            "stored_match_count": len(stored),
            "replayed_match_count": len(replayed),
        },
    )
    return ReplayResult(
        screening=screening,
        identical=identical,
        stored=stored,
        replayed=replayed,
        stored_suppressed=list(screening.suppressed),
        replayed_suppressed=result.suppressed,
    )
