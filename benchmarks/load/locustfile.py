"""Locust users for the load test: API clients screening names, onboarding customers, reading their identity.

Each user waits a random 0 to 2/``TILLIT_LOAD_RPS_PER_USER`` seconds between requests, so the
offered rate of a stage is about users x that rate (a little less: the response time adds to each
wait) and arrivals are spread out. A fixed pace (``constant_throughput``) keeps users in step with
the moment they were spawned, so they fire in bursts that measure queueing, not the service.

Scenarios (``TILLIT_LOAD_SCENARIO``): ``screening`` (POST /screenings/), ``mixed`` (four screenings
for each onboarding: POST /customers/ with an individual, then POST /customers/<id>/submit/, which
queues the onboarding pipeline on the Celery worker), ``whoami``.
"""

from __future__ import annotations

import os
import random

from locust import HttpUser, between, task

KEY = os.environ["TILLIT_LOAD_API_KEY"]
RATE = float(os.environ.get("TILLIT_LOAD_RPS_PER_USER", "1"))
SCENARIO = os.environ.get("TILLIT_LOAD_SCENARIO", "screening")

GIVEN = ["Maria", "Ahmed", "John", "Wei", "Olga", "Carlos", "Fatima", "Ivan", "Aisha", "Kenji", "Usama", "Viktor"]
FAMILY = ["Garcia", "Smith", "Chen", "Petrova", "Khan", "Ivanov", "Rossi", "Okafor", "Bin Laden", "Bout", "Kim"]


class ApiClientUser(HttpUser):
    wait_time = between(0, 2 / RATE)

    def on_start(self) -> None:
        self.client.headers.update({"Authorization": f"Api-Key {KEY}", "Content-Type": "application/json"})

    @task
    def work(self) -> None:
        if SCENARIO == "whoami":
            self.client.get("/api/v1/auth/whoami/", name="GET whoami")
            return
        if SCENARIO == "mixed" and random.random() < 0.2:
            self.onboard()
            return
        name = f"{random.choice(GIVEN)} {random.choice(FAMILY)}"
        self.client.post("/api/v1/screenings/", json={"name": name, "schema": "Person"}, name="POST screening")

    def onboard(self) -> None:
        details = {
            "given_names": random.choice(GIVEN),
            "family_name": random.choice(FAMILY),
            "birth_date": f"{random.randint(1950, 2000)}-0{random.randint(1, 9)}-1{random.randint(0, 9)}",
            "nationalities": [random.choice(["GB", "DE", "FR", "ES", "IT", "PL", "NG", "IN"])],
        }
        response = self.client.post(
            "/api/v1/customers/", json={"kind": "individual", "details": details}, name="POST customer"
        )
        if response.status_code == 201:
            customer = response.json()["id"]
            self.client.post(f"/api/v1/customers/{customer}/submit/", json={}, name="POST customer submit")
