"""Deadline-crush benchmark of online applications (not part of `make test`).

Usage: python bench/programs_deadline.py [--database-url postgres://…] [--users 50] [--seconds 60] [--workers 2]
                                        [--think 1,3]

Builds a fresh database (SQLite in a temporary directory unless --database-url), creates 50 organizations
with one 单位用户 each and a call that closes a few minutes from now, starts gunicorn on 127.0.0.1, runs
``bench/programs_locustfile.py`` headless (bounded: --seconds, loopback only), then checks the database: every
submission the server confirmed must be stored as 待形式审查 with its version snapshot. Prints the locust
figures (requests, failures, p50/p95 per request name) and the check. Targets: p95 < 500 ms, zero errors,
every submission stored.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _warm_up(port: int, accounts: list[dict[str, object]]) -> None:
    """A running server has its code loaded and its database connections open: a few reads from every
    applicant, in parallel, before the crush is measured."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    def read(account: dict[str, object]) -> None:
        request = urllib.request.Request(
            "http://127.0.0.1:%s/api/v1/programs/my/applications/" % port,
            headers={"Authorization": "Token %s" % account["token"]},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(read, accounts * 3))


def _setup(users: int, minutes: int) -> tuple[list[dict[str, object]], int]:
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from kejiju.core.choices import Role
    from kejiju.core.models import Region
    from kejiju.core.roles import sync_roles
    from kejiju.core.services.accounts import token_create, user_create
    from kejiju.engines.idcodes import make_credit_code
    from kejiju.orgs.services import organization_create, organization_member_add
    from kejiju.programs import services

    sync_roles()
    for code, name, parent in (("34", "安徽省", None), ("3411", "滁州市", "34"), ("341181", "天长市", "3411")):
        Region.objects.get_or_create(code=code, defaults={"name": name, "level": len(code), "parent_id": parent})
    admin = user_create(
        actor=None,
        username="benchadmin",
        full_name="管理员",
        password="Bench-" + secrets.token_urlsafe(12),
        role=Role.SYSTEM_ADMIN,
        region=None,
        must_change_password=False,
    )
    admin.is_superuser = True
    admin.save()
    staff = user_create(
        actor=None,
        username="benchstaff",
        full_name="市局经办",
        password="Bench-" + secrets.token_urlsafe(12),
        role=Role.BUREAU_STAFF,
        region=Region.objects.get(code="3411"),
        must_change_password=False,
    )
    accounts = []
    for i in range(users):
        org = organization_create(
            actor=admin,
            data={
                "name": "压测科技有限公司%03d" % i,
                "credit_code": make_credit_code("91341181MA%07d" % (9000 + i)),
                "region": "341181",
                "org_type": "enterprise",
            },
        )
        password = "Bench-" + secrets.token_urlsafe(12)
        user = user_create(
            actor=None,
            username="bench%03d" % i,
            full_name="申报人%03d" % i,
            password=password,
            role=Role.ORG_USER,
            region=Region.objects.get(code="341181"),
            must_change_password=False,
        )
        organization_member_add(actor=admin, organization=org, user=user)
        # the applicants are signed in before the last minutes (50 logins at once cost seconds of password
        # hashing each, by design): the crush measures saving and submitting
        token = token_create(actor=user)
        accounts.append({"username": user.username, "password": password, "token": token, "org": org.pk})
    program = services.program_save(actor=staff, data={"name": "压测重点研发计划", "kind": "key_rd", "region": "3411"})
    now = timezone.now()
    call = services.call_save(
        actor=staff,
        data={
            "program": program,
            "year": now.year,
            "title": "截止前申报压测指南",
            "opens_at": now - timedelta(days=30),
            "closes_at": now + timedelta(minutes=minutes),
            "needs_recommendation": False,
            "form_fields": [
                {"key": "summary", "label": "项目简介", "type": "text", "required": True},
                {"key": "members", "label": "项目组成员", "type": "members", "required": True},
                {"key": "budget", "label": "经费预算", "type": "budget", "required": True},
            ],
            "eligibility": {"org_types": ["enterprise"], "one_per_org": False},
        },
    )
    call = services.call_transition(actor=staff, call=call, action="publish")
    return accounts, call.pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--think", default="1,3", help="seconds between two actions of one applicant, as MIN,MAX ('0,0': capacity)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kejiju-deadline-"))
    env = dict(
        os.environ,
        KEJIJU_DATA_DIR=str(work),
        # production settings, as deployed: DEBUG off (no query log), plain HTTP on loopback
        DJANGO_SETTINGS_MODULE="kejiju.config.settings.prod",
        KEJIJU_SECRET_KEY=secrets.token_urlsafe(48),
        KEJIJU_SSL_REDIRECT="0",
        KEJIJU_LOG_LEVEL="WARNING",
        KEJIJU_DB_CONN_MAX_AGE="60",
        PYTHONPATH=str(ROOT / "src"),
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    os.environ.update(env)
    subprocess.run([sys.executable, "-m", "kejiju", "migrate", "-v0"], check=True, env=env)
    accounts, call_id = _setup(args.users, minutes=max(5, args.seconds // 60 + 3))
    users_file, log_file, csv_prefix = work / "users.json", work / "submitted.jsonl", work / "locust"
    users_file.write_text(json.dumps(accounts), encoding="utf-8")
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "kejiju.config.wsgi",
            "-b",
            "127.0.0.1:%s" % port,
            "-w",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        _warm_up(port, accounts)
        started = time.perf_counter()
        subprocess.run(
            [
                str(bin_dir / "locust"),
                "-f",
                str(ROOT / "bench" / "programs_locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(max(1, args.users // 2)),
                "-t",
                "%ss" % args.seconds,
                "--host",
                "http://127.0.0.1:%s" % port,
                "--csv",
                str(csv_prefix),
                "--only-summary",
                "--stop-timeout",
                "30",
            ],
            env={
                **env,
                "PROGRAMS_BENCH_USERS": str(users_file),
                "PROGRAMS_BENCH_CALL": str(call_id),
                "PROGRAMS_BENCH_LOG": str(log_file),
                "PROGRAMS_BENCH_THINK": args.think,
            },
            check=False,
            timeout=args.seconds + 120,
        )
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        "\n== deadline crush: %s applicants, %s s, think time %s s, gunicorn %s × %s threads, database %s =="
        % (
            args.users,
            args.seconds,
            args.think.replace(",", "–"),
            args.workers,
            args.threads,
            "PostgreSQL" if args.database_url else "SQLite",
        )
    )
    with open(str(csv_prefix) + "_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            print(
                "%-10s requests %6s failures %4s p50 %5s ms p95 %5s ms max %6s ms"
                % (
                    row["Name"],
                    row["Request Count"],
                    row["Failure Count"],
                    row["50%"],
                    row["95%"],
                    row["Max Response Time"],
                )
            )
    confirmed = (
        [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()] if log_file.exists() else []
    )
    from kejiju.programs.models import Application, ApplicationVersion

    ids = [c["id"] for c in confirmed]
    stored = Application.objects.filter(pk__in=ids, status="submitted", version=1).count()
    versions = ApplicationVersion.objects.filter(application_id__in=ids).count()
    print(
        "submissions confirmed %s, stored as submitted %s, version snapshots %s, all applications %s (%.0f s)"
        % (len(ids), stored, versions, Application.objects.count(), elapsed)
    )
    if stored != len(ids) or versions != len(ids):
        raise SystemExit("LOST SUBMISSIONS")


if __name__ == "__main__":
    main()
