"""Onboarding pipeline throughput in one process: validate, screen every party, rate and decide.

    .venv/bin/python -m benchmarks.kyc.pipeline [--customers 200] [--database-url postgres://...]

Uses a fresh embedded data folder (SQLite unless --database-url is given; that database is
migrated and written to, so give it an empty one), loads the screening samples
(``screening/lists/samples/opensanctions/entities.ftm.json``) as the active list, creates
individuals (one in ten a misspelt listed name) and companies with three related parties through
the services, then times submission + pipeline per case (embedded mode runs the pipeline task
inline when the submission commits). Prints the figures and the machine.
Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="tillit-kyc-bench-")
    os.environ["TILLIT_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ.pop("CELERY_BROKER_URL", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    run(args.customers)


def run(count: int) -> None:
    from django.db import connection

    from accounts.services import api_client_create
    from benchmarks.machine import print_machine
    from kyc.models import Customer
    from kyc.services.cases import case_submit
    from kyc.services.customers import RelationshipInput, customer_create, party_add
    from kyc.services.pipeline import case_run_pipeline
    from screening.services.watchlists import list_version_import, source_ensure

    source = source_ensure(code="os_benchmark", fmt="ftm-json", name="samples", actor=None)
    list_version_import(
        source=source, path=REPO / "screening/lists/samples/opensanctions/entities.ftm.json", actor=None
    )
    client = api_client_create(name=f"bench-{time.time_ns()}", actor=None)
    customers: list[Customer] = []
    for i in range(count):
        if i % 2 == 0:
            name = ("Oleg", "Primerow") if i % 10 == 0 else ("Alice", f"Johnson{i}")
            details = {"given_names": name[0], "family_name": name[1], "nationalities": ["GB"]}
            customers.append(customer_create(client=client, kind="individual", details=details, actor=client))
            continue
        company = customer_create(
            client=client,
            kind="business",
            details={"legal_name": f"Harbour {i} Ltd", "jurisdiction": "GB"},
            actor=client,
        )
        holding = party_add(
            customer=company,
            kind="company",
            details={"legal_name": f"Northwind {i} SA"},
            relationships=[RelationshipInput(of_party=None, role="shareholder", ownership_percentage=60)],
            actor=client,
        )
        for family, spec in (
            ("Okafor", RelationshipInput(of_party=holding, role="shareholder", ownership_percentage=100)),
            ("Lindqvist", RelationshipInput(of_party=None, role="director")),
        ):
            party_add(
                customer=company,
                kind="person",
                details={"given_names": "Sam", "family_name": f"{family}{i}"},
                relationships=[spec],
                actor=client,
            )
        customers.append(company)
    timings: list[float] = []
    outcomes: dict[str, int] = {}
    started = time.perf_counter()
    for customer in customers:
        t0 = time.perf_counter()
        case = case_submit(customer=customer, actor=client)  # embedded mode: the pipeline runs on commit
        status = case_run_pipeline(case_id=case.pk).status  # finishes whatever is left (nothing, here)
        timings.append(time.perf_counter() - t0)
        outcomes[status] = outcomes.get(status, 0) + 1
    elapsed = time.perf_counter() - started
    print("kyc onboarding pipeline benchmark (one process, tasks inline)")
    print_machine()
    print(f"  database      {connection.vendor}")
    print(f"  customers     {count} (half individuals, half companies with 3 related parties)")
    print(f"  outcomes      {outcomes}")
    print(f"  per case      submit + pipeline: median {statistics.median(timings) * 1000:.1f} ms, p95 "
          f"{sorted(timings)[int(len(timings) * 0.95) - 1] * 1000:.1f} ms")  # fmt: skip
    print(f"  throughput    {count / elapsed:.1f} cases/s (submit + pipeline)")


if __name__ == "__main__":
    main()
