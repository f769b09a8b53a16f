"""`flask seed demo`: a small, deterministic demo city.

Each feature adds its part as a step: a module with `seed(ctx: DemoContext) -> None` listed in
`DEMO_STEPS`. Every step must be idempotent (create what is missing, by natural keys) and
deterministic (use `ctx.rng(name)`, never the global random state), so that running the seed
twice changes nothing.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field

from pdservice.core.reference import seed_reference_data
from pdservice.demo.core import DemoAccount, seed_units_and_staff

DEMO_SEED = 20250801

# Modules with a `seed(ctx)` function, run in this order after units and staff exist.
DEMO_STEPS: list[str] = [
    "pdservice.training.demo",
    "pdservice.competences.demo",
    "pdservice.hours.demo",
    "pdservice.timetable.demo",
    "pdservice.teams.demo",
    "pdservice.coteaching.demo",
    "pdservice.strategy.demo",
]


@dataclass
class DemoContext:
    seed: int
    password: str
    accounts: list[DemoAccount] = field(default_factory=list)

    def rng(self, name: str) -> random.Random:
        """A random generator of its own for each step, so steps do not disturb each other."""
        return random.Random(f"{self.seed}:{name}")


def seed_demo(password: str, seed: int = DEMO_SEED) -> DemoContext:
    seed_reference_data()
    ctx = DemoContext(seed=seed, password=password)
    ctx.accounts = seed_units_and_staff(seed, password)
    for module in DEMO_STEPS:
        importlib.import_module(module).seed(ctx)
    return ctx
