"""SCIM provisioning at a city's scale, as Entra ID drives it.

    .venv/bin/python bench/scim.py                  # PostgreSQL
    .venv/bin/python bench/scim.py --sqlite         # a SQLite file
    .venv/bin/python bench/scim.py --json

It creates a database of its own (and drops it), migrates it, adds 40 units with a staff and
a principals' group each (made through the endpoint, as the provider makes them), and then
drives the endpoint through the app (in-process WSGI, production settings, a bearer token),
with the bodies Entra ID sends:

1. 1,000 user creations (POST /Users, each after the provider's lookup by userName).
2. 1,000 group-membership patches (PATCH /Groups/{id}, one member added; a tenth of them
   to principals' groups, which raise the person to principal).
3. A full resync of 5,000 people: the 1,000 provisioned above and 4,000 made beforehand by
   the staff CSV import (the usual start: the provider takes them over by e-mail). For each
   person the provider looks them up (GET /Users?filter=userName eq ...) and sends its
   attributes (PATCH /Users/{id}), then puts every person in their unit's group (PATCH
   /Groups/{id} with 100 members per request, as Entra batches them).

Reported: requests per second and p50/p95 latency of each step, and the resync's wall time.
Targets: the full resync of 5,000 people in under 5 minutes on PostgreSQL; creations and
membership patches at least 20 per second each (one provider connection, as Entra uses).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DEFAULT_ADMIN_URL, migrated_app, summary_ms, unit_rows  # noqa: E402

UNITS = 40
CREATIONS = 1000
MEMBERSHIP_PATCHES = 1000
RESYNC_PEOPLE = 5000
MEMBERS_PER_PATCH = 100
RESYNC_TARGET_SECONDS = 300
THROUGHPUT_TARGET = 20.0

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
TITLES = ["Luokanopettaja", "Aineenopettaja", "Erityisopettaja", "Koulunkäynninohjaaja"]


class Endpoint:
    """The SCIM endpoint through the app's WSGI interface, timing each request."""

    def __init__(self, app, token: str) -> None:
        self.client = app.test_client()
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/scim+json",
        }

    def call(self, method: str, path: str, times: list[float], body=None, expect=(200,)):
        started = time.perf_counter()
        response = getattr(self.client, method)(
            "/scim/v2" + path,
            headers=self.headers,
            data=None if body is None else json.dumps(body),
        )
        times.append(time.perf_counter() - started)
        if response.status_code not in expect:
            raise RuntimeError(f"{method.upper()} {path}: {response.status_code} {response.data!r}")
        return response.get_json(force=True, silent=True)


def entra_user(n: int, rng: random.Random) -> dict:
    email = f"opettaja{n:05d}@vantaa.example"
    given, family = f"Etu{n}", f"Suku{n}"
    return {
        "schemas": [USER, ENTERPRISE],
        "externalId": f"object-{n:05d}",
        "userName": email,
        "active": True,
        "displayName": f"{given} {family}",
        "name": {"givenName": given, "familyName": family, "formatted": f"{given} {family}"},
        "emails": [{"primary": True, "type": "work", "value": email}],
        "title": rng.choice(TITLES),
        "preferredLanguage": "fi-FI",
        ENTERPRISE: {"employeeNumber": f"E{n:06d}", "department": "Opetus"},
    }


def entra_update(body: dict) -> dict:
    """The PATCH Entra sends for a person whose attributes it (re)applies."""
    return {
        "schemas": [PATCH],
        "Operations": [
            {"op": "Replace", "path": "displayName", "value": body["displayName"]},
            {"op": "Replace", "path": "name.givenName", "value": body["name"]["givenName"]},
            {"op": "Replace", "path": "name.familyName", "value": body["name"]["familyName"]},
            {"op": "Replace", "path": "title", "value": body["title"]},
            {"op": "Replace", "path": "externalId", "value": body["externalId"]},
            {
                "op": "Replace",
                "path": f"{ENTERPRISE}:employeeNumber",
                "value": body[ENTERPRISE]["employeeNumber"],
            },
            {"op": "Replace", "path": "active", "value": "True"},
        ],
    }


def rate(count: int, times: list[float]) -> float:
    return round(count / sum(times), 1) if times else 0.0


def seed(app) -> tuple[str, list[int]]:
    from pdservice.core.enums import Language, Profession
    from pdservice.core.models import Unit, User
    from pdservice.db import utcnow
    from pdservice.extensions import db
    from pdservice.scim.tokens import create_token

    with app.app_context():
        db.session.execute(sa.insert(Unit), unit_rows(UNITS, utcnow()))
        unit_ids = list(db.session.scalars(sa.select(Unit.id).order_by(Unit.id)))
        # The people the staff CSV import made before provisioning started.
        db.session.execute(
            sa.insert(User),
            [
                {
                    "email": f"opettaja{n:05d}@vantaa.example",
                    "name": f"Etu{n} Suku{n}",
                    "profession": Profession.CLASS_TEACHER,
                    "preferred_language": Language.FI,
                    "active": True,
                }
                for n in range(CREATIONS, RESYNC_PEOPLE)
            ],
        )
        _row, token = create_token("benchmark", None)
        db.session.commit()
    return token, unit_ids


def run(app) -> dict:
    rng = random.Random(13)
    token, unit_ids = seed(app)
    scim = Endpoint(app, token)
    from pdservice.core.models import Unit
    from pdservice.extensions import db

    with app.app_context():
        codes = {u.id: u.code for u in db.session.scalars(sa.select(Unit))}
    setup: list[float] = []
    staff_groups, principal_groups = {}, {}
    for unit_id in unit_ids:
        for kind, groups in (("", staff_groups), (":principal", principal_groups)):
            name = codes[unit_id] + kind
            app.config["SCIM_GROUP_MAP"][name] = codes[unit_id] + kind
            body = {"schemas": [GROUP], "displayName": name, "externalId": f"group-{name}"}
            groups[unit_id] = scim.call("post", "/Groups", setup, body, expect=(201,))["id"]

    lookups: list[float] = []
    creations: list[float] = []
    ids: dict[int, str] = {}
    for n in range(CREATIONS):
        body = entra_user(n, rng)
        found = scim.call("get", f'/Users?filter=userName eq "{body["userName"]}"', lookups)
        assert found["totalResults"] == 0
        ids[n] = scim.call("post", "/Users", creations, body, expect=(201,))["id"]

    patches: list[float] = []
    for n in range(MEMBERSHIP_PATCHES):
        unit_id = unit_ids[n % UNITS]
        group = principal_groups[unit_id] if n % 10 == 0 else staff_groups[unit_id]
        body = {
            "schemas": [PATCH],
            "Operations": [{"op": "Add", "path": "members", "value": [{"value": ids[n]}]}],
        }
        scim.call("patch", f"/Groups/{group}", patches, body, expect=(204,))

    resync_started = time.perf_counter()
    resync_lookups: list[float] = []
    resync_patches: list[float] = []
    members: dict[int, list[str]] = {u: [] for u in unit_ids}
    for n in range(RESYNC_PEOPLE):
        body = entra_user(n, rng)
        found = scim.call("get", f'/Users?filter=userName eq "{body["userName"]}"', resync_lookups)
        if found["totalResults"] == 1:
            user_id = found["Resources"][0]["id"]
            scim.call("patch", f"/Users/{user_id}", resync_patches, entra_update(body))
        else:
            user_id = scim.call("post", "/Users", resync_patches, body, expect=(201,))["id"]
        members[unit_ids[n % UNITS]].append(user_id)
    group_patches: list[float] = []
    for unit_id, people in members.items():
        for start in range(0, len(people), MEMBERS_PER_PATCH):
            body = {
                "schemas": [PATCH],
                "Operations": [
                    {
                        "op": "Add",
                        "path": "members",
                        "value": [{"value": i} for i in people[start : start + MEMBERS_PER_PATCH]],
                    }
                ],
            }
            scim.call(
                "patch", f"/Groups/{staff_groups[unit_id]}", group_patches, body, expect=(204,)
            )
    resync_seconds = time.perf_counter() - resync_started

    with app.app_context():
        from pdservice.core.models import UnitMembership
        from pdservice.scim.models import ScimUser

        provisioned = db.session.scalar(sa.select(sa.func.count()).select_from(ScimUser))
        memberships = db.session.scalar(sa.select(sa.func.count()).select_from(UnitMembership))
    return {
        "user creations": {
            "requests": CREATIONS,
            "per_second": rate(CREATIONS, creations),
            **summary_ms(creations),
            "lookup_p50_ms": summary_ms(lookups)["p50_ms"],
        },
        "membership patches": {
            "requests": MEMBERSHIP_PATCHES,
            "per_second": rate(MEMBERSHIP_PATCHES, patches),
            **summary_ms(patches),
        },
        "full resync": {
            "people": RESYNC_PEOPLE,
            "requests": len(resync_lookups) + len(resync_patches) + len(group_patches),
            "seconds": round(resync_seconds, 1),
            "lookup_p50_ms": summary_ms(resync_lookups)["p50_ms"],
            "user_patch_p50_ms": summary_ms(resync_patches)["p50_ms"],
            "user_patch_p95_ms": summary_ms(resync_patches)["p95_ms"],
            "group_patch_p50_ms": summary_ms(group_patches)["p50_ms"],
            "provisioned_after": provisioned,
            "memberships_after": memberships,
        },
    }


def print_table(results: dict, database: str) -> None:
    print(f"SCIM provisioning ({database}, in-process WSGI, one connection)")
    create, patch, resync = (
        results["user creations"],
        results["membership patches"],
        results["full resync"],
    )
    print(f"{'step':<26}{'requests':>10}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}  target")
    ok: Callable[[bool], str] = lambda good: "met" if good else "MISSED"  # noqa: E731
    print(
        f"{'user creations':<26}{create['requests']:>10}{create['per_second']:>9}"
        f"{create['p50_ms']:>9}{create['p95_ms']:>9}  >= {THROUGHPUT_TARGET:g}/s "
        f"{ok(create['per_second'] >= THROUGHPUT_TARGET)}"
    )
    print(
        f"{'membership patches':<26}{patch['requests']:>10}{patch['per_second']:>9}"
        f"{patch['p50_ms']:>9}{patch['p95_ms']:>9}  >= {THROUGHPUT_TARGET:g}/s "
        f"{ok(patch['per_second'] >= THROUGHPUT_TARGET)}"
    )
    print(
        f"{'full resync of 5,000':<26}{resync['requests']:>10}"
        f"{round(resync['requests'] / resync['seconds'], 1):>9}"
        f"{resync['user_patch_p50_ms']:>9}{resync['user_patch_p95_ms']:>9}  "
        f"{resync['seconds']} s < {RESYNC_TARGET_SECONDS} s "
        f"{ok(resync['seconds'] < RESYNC_TARGET_SECONDS)}"
    )
    print(
        f"after the resync: {resync['provisioned_after']} people provisioned, "
        f"{resync['memberships_after']} unit memberships"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    kind = "sqlite" if args.sqlite else "postgresql"
    with migrated_app(kind, args.admin_url, "pdbench_scim") as app:
        results = run(app)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results, "SQLite" if args.sqlite else "PostgreSQL")


if __name__ == "__main__":
    main()
