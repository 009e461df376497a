"""Typed inputs and outputs of the expert-assignment engine (pure Python, no Django)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

Mode = Literal["optimal", "draw"]
Status = Literal["ok", "infeasible"]


class InstanceError(ValueError):
    """The instance is malformed; ``problems`` lists every problem as a Chinese sentence ending in 。"""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class SolverError(RuntimeError):
    """The LP solver failed for a reason other than infeasibility (should not happen; never silent)."""


@dataclass(frozen=True)
class Expert:
    """An expert of the pool: load bounds per batch, subject codes (GB/T 13745, matched by prefix)."""

    id: str
    max_load: int
    min_load: int = 0
    subjects: tuple[str, ...] = ()
    organization: str = ""
    region: str = ""
    name: str = ""
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Application:
    """An application to review; ``reviewers`` overrides the instance's reviewers_per_application."""

    id: str
    subjects: tuple[str, ...] = ()
    organization: str = ""
    region: str = ""
    members: tuple[str, ...] = ()
    reviewers: int | None = None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conflict:
    """A declared conflict of interest (回避): the expert never reviews the application."""

    expert: str
    application: str
    reason: str = ""


@dataclass(frozen=True, eq=False)
class Instance:
    """One batch to assign. ``affinity`` (when given) is an applications × experts matrix in input order,
    NaN where the pair has no score; then a pair is eligible only when it has a score."""

    mode: Mode
    experts: tuple[Expert, ...]
    applications: tuple[Application, ...]
    reviewers_per_application: int = 3
    reserves_per_application: int = 0
    conflicts: tuple[Conflict, ...] = ()
    affinity: npt.NDArray[np.float64] | None = None
    avoid_same_region: bool = False
    nonce: str = ""

    def needed(self, app: Application) -> int:
        """Number of reviewers the application must get."""
        return self.reviewers_per_application if app.reviewers is None else app.reviewers


@dataclass(frozen=True)
class Assignment:
    application: str
    expert: str
    score: float


@dataclass(frozen=True)
class Reserve:
    application: str
    expert: str
    rank: int


@dataclass(frozen=True)
class Shortfall:
    """Why the batch is infeasible: an application missing ``missing`` reviewers, or (``application`` None)
    an expert whose minimum load cannot be reached by ``missing``."""

    application: str | None
    missing: int
    reason: str
    expert: str | None = None


@dataclass(frozen=True)
class Result:
    status: Status
    seed_digest: str
    assignments: tuple[Assignment, ...] = ()
    reserves: tuple[Reserve, ...] = ()
    objective: float | None = None
    bound: float | None = None
    shortfall: tuple[Shortfall, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
