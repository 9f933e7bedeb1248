"""Locust users for the load test: API clients screening names and reading their identity.

Each user sends at most ``TILLIT_LOAD_RPS_PER_USER`` requests per second (constant throughput), so
the offered rate of a stage is users x that rate, independent of how fast the server answers.
"""

from __future__ import annotations

import os
import random

from locust import HttpUser, constant_throughput, task

KEY = os.environ["TILLIT_LOAD_API_KEY"]
RATE = float(os.environ.get("TILLIT_LOAD_RPS_PER_USER", "1"))
SCENARIO = os.environ.get("TILLIT_LOAD_SCENARIO", "screening")

GIVEN = ["Maria", "Ahmed", "John", "Wei", "Olga", "Carlos", "Fatima", "Ivan", "Aisha", "Kenji", "Usama", "Viktor"]
FAMILY = ["Garcia", "Smith", "Chen", "Petrova", "Khan", "Ivanov", "Rossi", "Okafor", "Bin Laden", "Bout", "Kim"]


class ApiClientUser(HttpUser):
    wait_time = constant_throughput(RATE)

    def on_start(self) -> None:
        self.client.headers.update({"Authorization": f"Api-Key {KEY}", "Content-Type": "application/json"})

    @task
    def work(self) -> None:
        if SCENARIO == "whoami":
            self.client.get("/api/v1/auth/whoami/", name="GET whoami")
            return
        name = f"{random.choice(GIVEN)} {random.choice(FAMILY)}"
        self.client.post("/api/v1/screenings/", json={"name": name, "schema": "Person"}, name="POST screening")
