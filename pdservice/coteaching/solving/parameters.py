"""A run's parameters as stored on the run: the solver's own and the app's options.

Kept free of the solver package so that web pages do not load OR-Tools; the worker turns the
stored dictionary into `scheduler.Parameters`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: The soft terms' weights a principal may tune, with the solver's defaults.
DEFAULT_WEIGHTS = {
    "support_need": 2,
    "complementarity": 6,
    "wish": 10,
    "continuity": 5,
    "coverage": 20,
    "fairness": 4,
    "compact_days": 3,
    "stay": 30,
}
DEFAULT_TIME_LIMIT_SECONDS = 15
MAX_TIME_LIMIT_SECONDS = 600


@dataclass(frozen=True)
class RunOptions:
    """What a principal chooses for a run besides the solver's rules and weights."""

    include_meetings: bool = True
    # People who have not stated wishes: taken as willing, with this weekly capacity.
    assume_willing: bool = True
    default_capacity: int = 4
    specialist_capacity: int = 8

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunOptions:
        known = asdict(cls())
        return cls(**{k: data[k] for k in known if k in data})


def default_parameters(time_limit_seconds: float = DEFAULT_TIME_LIMIT_SECONDS) -> dict[str, Any]:
    return {
        "solver": {
            "time_limit_seconds": time_limit_seconds,
            "min_lessons": 2,
            "max_partners": 2,
            "max_coteachers": 1,
            "fair_hours": 2,
            "workers": 2,
            "seed": 0,
            "weights": dict(DEFAULT_WEIGHTS),
        },
        "options": RunOptions().to_dict(),
    }


def solver_parameters(stored: dict[str, Any]) -> Any:
    """The stored parameters as `scheduler.Parameters` (loads the solver)."""
    from scheduler import Parameters

    return Parameters.from_dict(dict(stored.get("solver", {})))


def run_options(stored: dict[str, Any]) -> RunOptions:
    return RunOptions.from_dict(stored.get("options", {}))
