"""The audit app's own action codes (autodiscovered like every app's ``audit_actions.py``)."""

from audit.actions import register

EXPORT_CREATED = register("audit.export.created", "Audit events were exported (date range or customer history)")
PROOF_ISSUED = register("audit.proof.issued", "An inclusion or consistency proof was issued")
