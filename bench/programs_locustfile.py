"""Deadline crush: applicants save and submit applications in the last minutes before a call closes.

Run by ``bench/programs_deadline.py`` (which prepares the accounts and the call and checks the database
afterwards); on its own::

    PROGRAMS_BENCH_USERS=/tmp/users.json PROGRAMS_BENCH_CALL=1 \
        locust -f bench/programs_locustfile.py --headless -u 50 -r 25 -t 60s --host http://127.0.0.1:8765

Only loopback hosts are accepted. Each simulated applicant uses its API token (issued beforehand, or obtained
with its password when the users file has none; its own account and organization), then loops: create a draft, save it three times (members, budget, text), submit, with a think
time between two actions drawn from ``PROGRAMS_BENCH_THINK`` ("1,3": 1 to 3 seconds, already faster than a
person filling a form; "0,0" measures the server's capacity with no pause at all). The file
``PROGRAMS_BENCH_LOG`` (JSON lines) records every application the server answered as submitted, so the runner
can check that each one is stored."""

from __future__ import annotations

import json
import os
import threading
from datetime import date, timedelta
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

_USERS = json.loads(
    open(os.environ.get("PROGRAMS_BENCH_USERS", "/tmp/programs-bench-users.json"), encoding="utf-8").read()
)
_CALL = int(os.environ.get("PROGRAMS_BENCH_CALL", "1"))
_LOG = os.environ.get("PROGRAMS_BENCH_LOG", "/tmp/programs-bench-submitted.jsonl")
_THINK = [float(x) for x in os.environ.get("PROGRAMS_BENCH_THINK", "1,3").split(",")]
_lock = threading.Lock()
_next = [0]


@events.test_start.add_listener
def _loopback_only(environment, **_kwargs):  # type: ignore[no-untyped-def]
    host = urlparse(environment.host or "").hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise SystemExit("programs_locustfile: only loopback hosts are allowed, got %r" % host)


def _id_number(seed: int) -> str:
    """A valid GB 11643 number (check character computed), born in 1970–2000."""
    first17 = "341181" + (date(1970, 1, 1) + timedelta(days=seed % 11000)).strftime("%Y%m%d") + "%03d" % (seed % 997)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]
    return first17 + check


class Applicant(HttpUser):
    wait_time = between(_THINK[0], _THINK[-1])

    def on_start(self) -> None:
        with _lock:
            account = _USERS[_next[0] % len(_USERS)]
            _next[0] += 1
        self.account = account
        token = account.get("token")
        if not token:
            answer = self.client.post(
                "/api/v1/token/", json={"username": account["username"], "password": account["password"]}, name="token"
            )
            token = answer.json()["token"]
        self.client.headers["Authorization"] = "Token " + token
        self.n = 0

    @task
    def apply(self) -> None:
        self.n += 1
        seed = self.account["org"] * 1000 + self.n
        created = self.client.post(
            "/api/v1/programs/my/applications/",
            name="create",
            json={"call": _CALL, "organization": self.account["org"], "title": "截止前申报 %s" % seed},
        )
        if created.status_code != 201:
            return
        pk = created.json()["id"]
        url = "/api/v1/programs/my/applications/%s/" % pk
        self.wait()
        self.client.patch(
            url,
            name="save",
            json={
                "requested_amount": "100000.00",
                "contact_person": "张三",
                "members": [{"name": "张三", "id_number": _id_number(seed), "is_leader": True}],
            },
        )
        self.wait()
        self.client.patch(
            url,
            name="save",
            json={
                "budget": [{"category": "equipment", "amount": "60000.00"}, {"category": "labor", "amount": "40000.00"}]
            },
        )
        self.wait()
        self.client.patch(url, name="save", json={"fields": {"summary": "项目简介" * 50}})
        self.wait()
        with self.client.post(url + "submit/", name="submit", catch_response=True) as answer:
            if answer.status_code == 200 and answer.json().get("status") == "submitted":
                with _lock, open(_LOG, "a", encoding="utf-8") as out:
                    out.write(json.dumps({"id": pk, "version": answer.json()["version"]}) + "\n")
                answer.success()
            else:
                answer.failure("submit answered %s: %s" % (answer.status_code, answer.text[:200]))
