"""Monitoring writes: jobs and chunks (``jobs``), alerts into kyc cases (``alerts``), chunk work (``rescreen``)."""
