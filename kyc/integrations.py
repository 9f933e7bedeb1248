"""Every call from kyc into another app goes through one small function here.

Vault: identifiers are validated, tokenised and encrypted by ``vault.services.identifier_store``;
kyc keeps the token. Accounts: roles come from ``accounts.policy`` and fresh second factors from
``accounts.stepup``. Screening: ``screen_subject`` runs the screening engine over the screening runtime's index of
the active list versions (``screening.runtime``), with the configured thresholds; with no active
list it raises ``ScreeningUnavailable`` and the pipeline retries, then routes the case to an
officer instead of approving it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

# --- Vault -------------------------------------------------------------------------------------------


class IdentifierInvalid(ValueError):
    """An identifier failed validation; ``check`` names the check, the message never holds the value."""

    def __init__(self, check: str, message: str, field: str = "value") -> None:
        super().__init__(message)
        self.check = check
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Tokenised:
    identifier_type: str
    token: str
    masked: str
    scheme: str


def identifier_tokenise(
    *, identifier_type: str, value: str, actor: Any, country: str | None = None, scheme: str | None = None
) -> Tokenised:
    """Validate and store an identifier in the vault; return its token and masked form."""
    from vault.services import identifier_store
    from vault.validation import IdentifierValidationError

    try:
        row = identifier_store(
            identifier_type=identifier_type, value=value, actor=actor, country=country, scheme=scheme
        )
    except IdentifierValidationError as exc:
        raise IdentifierInvalid(exc.check, exc.message, exc.field) from None
    return Tokenised(identifier_type=row.identifier_type, token=row.token, masked=row.masked, scheme=row.scheme)


@dataclass(frozen=True)
class MrzResult:
    valid: bool
    failed_check: str = ""
    document_number: Tokenised | None = None
    expiry_date: str = ""  # YYMMDD as printed


def mrz_check(*, lines: list[str], actor: Any) -> MrzResult:
    """Check an MRZ's check digits; when valid, tokenise its document number (the MRZ itself is not kept)."""
    from vault.services import identifier_store_validated
    from vault.validation import IdentifierValidationError, identifier_from_mrz

    try:
        identifier, mrz = identifier_from_mrz(lines)
    except IdentifierValidationError as exc:
        return MrzResult(valid=False, failed_check=exc.check)
    row = identifier_store_validated(identifier=identifier, actor=actor)
    token = Tokenised(identifier_type=row.identifier_type, token=row.token, masked=row.masked, scheme=row.scheme)
    return MrzResult(valid=True, document_number=token, expiry_date=mrz.expiry_date)


def reveal_urls(tokens: list[str]) -> dict[str, str]:
    """{token: the vault's admin page that reveals it (purpose, step-up, audited)} for tokens it holds."""
    from django.urls import NoReverseMatch, reverse

    from vault.models import StoredIdentifier

    urls = {}
    for pk, token in StoredIdentifier.objects.filter(token__in=[t for t in tokens if t]).values_list("pk", "token"):
        try:
            urls[token] = reverse("admin:vault_storedidentifier_reveal", args=[pk])
        except NoReverseMatch:  # the vault admin is not installed
            continue
    return urls


def secret_seal(plaintext: bytes, *, table: str, record_id: str, field: str) -> bytes:
    from vault.services import secret_seal as seal

    return seal(plaintext, table=table, record_id=record_id, field=field)


def secret_open(sealed: bytes, *, table: str, record_id: str, field: str) -> bytes:
    from vault.services import secret_open as open_

    return open_(sealed, table=table, record_id=record_id, field=field)


# --- Accounts: roles and step-up -------------------------------------------------------------------

#: kyc's guarded actions, as named in accounts.policy.
ACTION_DECIDE = "case.decide"
ACTION_REVIEW = "alert.review"
ACTION_CLEAR_HIT = "alert.clear"
ACTION_CLEAR_HIT_SECOND = "alert.clear.approve"
ACTION_APPROVE_HIGH_RISK = "case.approve_high_risk.first"
ACTION_APPROVE_HIGH_RISK_SECOND = "case.approve_high_risk"


def define_actions() -> None:
    """Add kyc's own action to the policy table (called from KycConfig.ready)."""
    try:
        from accounts import policy
    except ImportError:  # pragma: no cover - before the accounts policy exists
        return
    if ACTION_APPROVE_HIGH_RISK not in policy.ACTIONS:
        policy.define(
            ACTION_APPROVE_HIGH_RISK,
            roles=policy.DECIDERS,
            description="Propose approving a high-risk customer (first of two officers)",
            step_up=True,
        )


def role_allows(user: Any, action: str) -> bool:
    """Whether the user's role allows ``action`` (accounts.policy)."""
    from accounts import policy

    return policy.can(user, action)


def require_role(user: Any, action: str) -> None:
    if not role_allows(user, action):
        raise PermissionDenied(f"Your role does not allow {action!r}.")


def step_up_verified(request: HttpRequest, action: str) -> bool:
    """True only when this session holds a fresh second-factor grant for ``action``."""
    try:
        from accounts.stepup import has_step_up
    except ImportError:  # pragma: no cover - before accounts.stepup exists: nothing passes
        return False
    return has_step_up(request, action) is True


def admin_step_up(request: HttpRequest, action: str) -> HttpResponse | None:
    """The admin's step-up prompt for ``action``; None when a fresh grant is already held."""
    from accounts.stepup import admin_step_up as prompt

    return prompt(request, action=action)


# --- Screening -------------------------------------------------------------------------------------


class ScreeningUnavailable(RuntimeError):
    """No watchlist index is available: nothing can be screened (a transient condition)."""


class SubjectUnscreenable(ValueError):
    """The engine refuses this party's name (a permanent condition: retrying will not help)."""


@dataclass(frozen=True)
class Subject:
    """What is screened for one party (never an identifier value: the engine gets none)."""

    name: str
    schema: str  # Person / Organization
    birth_date: str | None = None
    countries: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    entity: str
    source: str
    listed_name: str
    schema: str
    topics: tuple[str, ...]
    score: float
    threshold: float
    explanation: dict[str, Any]
    content_hash: str
    algorithm_version: str


@dataclass(frozen=True)
class Outcome:
    hits: list[Hit]
    list_versions: dict[str, Any] = field(default_factory=dict)  # {source: {"id", "number"}}
    algorithm_version: str = ""


def name_problem(name: str) -> str | None:
    """Why the screening engine would refuse this name (control characters, emoji, mixed scripts ...), or None."""
    from screening.engine.model import InvalidQuery, validate_name

    try:
        validate_name(name)
    except InvalidQuery as exc:
        return str(exc)
    return None


def screening_snapshot() -> Any:
    """The screening runtime's index of the active list versions (built or loaded once per process)."""
    from screening.runtime import NoActiveLists, runtime

    try:
        return runtime.current()
    except NoActiveLists as exc:
        raise ScreeningUnavailable(str(exc)) from None


def screen_subject(subject: Subject) -> Outcome:
    """Screen one party against the active lists; every match comes with the engine's explanation."""
    from screening.engine import InvalidQuery, Query
    from screening.services.releases import screen_live

    snapshot = screening_snapshot()
    try:
        query = Query(
            name=subject.name,
            schema=subject.schema,
            birth_date=subject.birth_date,
            countries=tuple(c.lower() for c in subject.countries if len(c) == 2),
        )
    except InvalidQuery as exc:
        raise SubjectUnscreenable(str(exc)) from None
    matches, algorithm_version = screen_live(snapshot, query)
    hits = [
        Hit(
            entity=match.entity,
            source=match.source,
            listed_name=match.name,
            schema=match.schema,
            topics=tuple(match.topics),
            score=float(match.score),
            threshold=float(match.threshold),
            explanation=match.explanation,
            content_hash=match.content_hash,
            algorithm_version=match.algorithm_version,
        )
        for match in matches
    ]
    return Outcome(hits=hits, list_versions=snapshot.record, algorithm_version=algorithm_version)


def list_entries_for(hits: list[Any]) -> dict[Any, dict[str, Any]]:
    """{hit id: the list entry it matched (names, dates, identifiers, programmes, remarks, entry id)}.

    Reads the entry of the exact list version the hit was screened against (for the officer's
    side-by-side view). Screening offers no selector by (source, version, reference) yet, so this
    reads its ListEntry table; a hit whose version is gone shows no entry.
    """
    from django.db.models import Q

    from screening.models import ListEntry

    wanted: dict[tuple[str, str], list[Any]] = {}
    condition = Q()
    for hit in hits:
        code, _, ref = hit.entity.partition(":")
        version = (hit.list_versions or {}).get(code)
        version_id = version.get("id") if isinstance(version, dict) else None
        if not version_id:
            continue
        wanted.setdefault((str(version_id), ref), []).append(hit.pk)
        condition |= Q(version_id=version_id, ref=ref)
    if not wanted:
        return {}
    found: dict[Any, dict[str, Any]] = {}
    for entry in ListEntry.objects.filter(condition).only("id", "version_id", "ref", "data"):
        data = dict(entry.data or {})
        data["entry_id"] = entry.pk
        for hit_id in wanted.get((str(entry.version_id), entry.ref), []):
            found[hit_id] = data
    return found
