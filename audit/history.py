"""Field-level model history with django-auditlog, with identifier fields masked.

django-auditlog records who changed which field of a model, alongside the hash-chained
events. Its ``LogEntry`` table is ordinary (not append-only), so the chained events stay
the authoritative record; the history answers "which fields changed" questions.

Register models with ``register_history`` rather than ``auditlog.register``: it masks
identifier fields completely (the default auditlog mask keeps half the value), never
serialises whole objects, names objects by type and key rather than ``str()``, and
refuses to register a model whose field names look like plaintext identifiers (by the
same rule as audit payloads) unless each such field is masked or excluded.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.db.models.signals import pre_save

from audit.payload import key_is_identifying, mask_email

MASK = "***"
# Models registered here: their history entries name the object by type and key, never by str().
_REGISTERED: set[str] = set()


def _neutral_object_repr(sender: type[Model], instance: LogEntry, **kwargs: object) -> None:
    """auditlog stores str(instance), which for a customer is a name; replace it with type and key.

    It also copies the actor's e-mail address into ``actor_email``: set the actor here, with the
    address masked, so that auditlog's own receiver (connected later, per request) leaves both alone.
    """
    content_type = instance.content_type
    label = f"{content_type.app_label}.{content_type.model}"
    if label in _REGISTERED:
        instance.object_repr = f"{label} {instance.object_pk}"
    if instance.actor_id is None:
        actor = _request_actor()
        if isinstance(actor, get_user_model()) and actor.pk is not None:
            instance.actor = actor
    if instance.actor_email:
        instance.actor_email = mask_email(instance.actor_email)
    elif instance.actor_id is not None:
        instance.actor_email = mask_email(instance.actor.email)


def _request_actor() -> object | None:
    """The actor auditlog's middleware set for the current request, if that request is still running.

    auditlog leaves its context variable set after the request and stops using it by disconnecting
    its receiver; so the actor counts only while that receiver is connected.
    """
    context = auditlog_value.get(None)
    if not context:
        return None
    uid = context.get("signal_duid")
    if not any(lookup_key[0] == uid for lookup_key, *_ in pre_save.receivers):
        return None
    return context.get("actor")


pre_save.connect(_neutral_object_repr, sender=LogEntry, dispatch_uid="audit.history.neutral_object_repr")


def mask_identifier(value: str) -> str:
    """What the history shows for an identifier field: whether it had a value, never the value."""
    return MASK if value not in ("", "None") else value


def register_history(
    model: type[Model],
    *,
    masked_fields: Iterable[str] = (),
    exclude_fields: Iterable[str] = (),
    include_fields: Iterable[str] | None = None,
) -> type[Model]:
    """Track ``model`` with django-auditlog; identifier fields must be masked or excluded."""
    masked, excluded = list(masked_fields), list(exclude_fields)
    names = {field.name for field in model._meta.concrete_fields}
    unknown = (set(masked) | set(excluded) | set(include_fields or ())) - names
    if unknown:
        raise ImproperlyConfigured(f"{model._meta.label} has no field(s) {sorted(unknown)}")
    tracked = set(include_fields) if include_fields is not None else names
    exposed = sorted(n for n in tracked - set(masked) - set(excluded) if key_is_identifying(n))
    if exposed:
        raise ImproperlyConfigured(
            f"{model._meta.label}: field(s) {exposed} look like plaintext identifiers; "
            f"pass them in masked_fields or exclude_fields"
        )
    _REGISTERED.add(model._meta.label_lower)
    auditlog.register(
        model,
        # Concrete fields only: on creation auditlog would otherwise list reverse relations too.
        include_fields=sorted(tracked),
        exclude_fields=excluded,
        mask_fields=masked,
        mask_callable="audit.history.mask_identifier",
        serialize_data=False,
    )
    return model
