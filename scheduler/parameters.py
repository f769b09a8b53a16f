"""How to solve: the rules a principal may tune, the soft terms' weights, the search budget."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from .domain import ProblemError

#: The soft terms, in the order results list them; compact_days is a penalty (subtracted).
TERM_NAMES = (
    "support_need",
    "complementarity",
    "wish",
    "continuity",
    "coverage",
    "fairness",
    "compact_days",
    "stay",
)
PENALTY_TERMS = frozenset({"compact_days"})


@dataclass(frozen=True)
class Weights:
    """Points per unit of each soft term; the objective is the weighted sum (maximised).

    The defaults make staff coverage (the 2025 collaboration indicator) the strongest reason to
    form a pair, make support need the main reason to choose a lesson, and make a new idle gap
    in someone's day cost about as much as one hour of co-teaching a group with one pupil in
    pupil-specific support. `stay` is only used when re-solving after a principal's edits.
    """

    support_need: int = 2  # per support-need point per co-taught hour
    complementarity: int = 6  # per complementarity point per formed pair
    wish: int = 10  # per wish fulfilled (a pair formed that one of the two wished)
    continuity: int = 5  # per pair that already worked together last term
    coverage: int = 20  # per staff member in at least one pair
    fairness: int = 4  # per co-taught hour within each group's first `fair_hours`
    compact_days: int = 3  # penalty per new idle slot in a teacher's day
    stay: int = 30  # per kept hour of the previous solution (re-solve only)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ProblemError(f"weight {f.name!r} must be a non-negative integer: {value!r}")

    def signed(self, term: str) -> int:
        """Points per unit of `term` in the objective: negative for a penalty."""
        return (-1 if term in PENALTY_TERMS else 1) * getattr(self, term)


@dataclass(frozen=True)
class Parameters:
    """Rules of the request and the search budget.

    `min_lessons`: a formed pair shares at least this many hours a week. `max_partners`: most
    partners per teacher. `max_coteachers`: most co-teachers in one lesson. `fair_hours`: how
    many co-taught hours per group earn the fairness bonus. `workers=0` lets CP-SAT use every
    core.

    `time_limit_seconds` is measured on the wall clock: what a user waits for. With
    `deterministic=True` it is measured in work instead: CP-SAT's deterministic time
    (`max_deterministic_time`, about a second of one core on a quiet machine; several
    workers then search interleaved, which is deterministic too) and a fixed number of
    iterations of the Lagrangian relaxation per unit. The same request and seed then always
    give the same plan, whatever the machine's speed or load: tests use it, users do not.
    """

    min_lessons: int = 2
    max_partners: int = 2
    max_coteachers: int = 1
    fair_hours: int = 2
    weights: Weights = field(default_factory=Weights)
    time_limit_seconds: float = 10.0
    workers: int = 2
    seed: int = 0
    deterministic: bool = False
    use_hint: bool = True
    log_search: bool = False

    def __post_init__(self) -> None:
        _check_int(self.min_lessons, "min_lessons", 1)
        _check_int(self.max_partners, "max_partners", 0)
        _check_int(self.max_coteachers, "max_coteachers", 1)
        _check_int(self.fair_hours, "fair_hours", 0)
        _check_int(self.workers, "workers", 0)
        _check_int(self.seed, "seed", 0)
        for name in ("deterministic", "use_hint", "log_search"):
            if not isinstance(getattr(self, name), bool):
                raise ProblemError(f"parameter {name!r} must be true or false")
        if not isinstance(self.weights, Weights):
            raise ProblemError("parameters: weights must be a Weights object")
        limit = self.time_limit_seconds
        if isinstance(limit, bool) or not isinstance(limit, int | float) or not limit > 0:
            raise ProblemError(f"parameter 'time_limit_seconds' must be positive: {limit!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Parameters:
        """Build parameters from a JSON object; unknown keys are an error, not ignored."""
        _known_keys(data, cls, "parameters must be a JSON object", "parameter")
        values = dict(data)
        if "weights" in values:
            weights = values["weights"]
            _known_keys(weights, Weights, "parameter 'weights' must be a JSON object", "weight")
            values["weights"] = Weights(**weights)
        return cls(**values)


def _known_keys(data: object, cls: type, not_object: str, what: str) -> None:
    """Reject a non-object and unknown keys: a typo must not be silently ignored."""
    if not isinstance(data, dict):
        raise ProblemError(not_object)
    unknown = sorted(set(data) - {f.name for f in fields(cls)})
    if unknown:
        raise ProblemError(f"unknown {what}(s): {', '.join(unknown)}")


def _check_int(value: object, name: str, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ProblemError(f"parameter {name!r} must be an integer >= {minimum}: {value!r}")
