"""Expert assignment (专家分配): optimal panels by affinity, or a reproducible random draw (随机抽取).

Pure Python with numpy/scipy, no Django. ``instance_from_dict`` reads the JSON form, ``solve`` assigns,
``result_to_dict`` writes the result; format and method: docs/modules/assignment.md.
"""

from .jsonio import canonical_json, instance_from_dict, instance_to_dict, result_to_dict, seed_digest
from .model import (
    Application,
    Assignment,
    Conflict,
    Expert,
    Instance,
    InstanceError,
    Reserve,
    Result,
    Shortfall,
    SolverError,
)
from .solver import solve, subject_score

__all__ = [
    "Application",
    "Assignment",
    "Conflict",
    "Expert",
    "Instance",
    "InstanceError",
    "Reserve",
    "Result",
    "Shortfall",
    "SolverError",
    "canonical_json",
    "instance_from_dict",
    "instance_to_dict",
    "result_to_dict",
    "seed_digest",
    "solve",
    "subject_score",
]
