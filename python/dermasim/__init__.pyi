"""Type stubs of the `dermasim` package."""

import os
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

__version__: str
DISCLAIMER: str

ScenarioLike = Union[str, os.PathLike[str], Mapping[str, Any]]
Overrides = Union[None, Mapping[str, Any], Sequence[str]]

@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    allowed: Optional[str]

class ScenarioError(ValueError):
    problems: list[Problem]
    field: str
    message: str
    allowed: Optional[str]
    def __init__(self, message: str, problems: Sequence[Problem]) -> None: ...

class Result:
    summary: dict[str, Any]
    scenario_toml: str
    @property
    def provenance(self) -> dict[str, Any]: ...
    @property
    def punctures(self) -> pd.DataFrame: ...
    @property
    def channels(self) -> pd.DataFrame: ...
    @property
    def series(self) -> pd.DataFrame: ...
    @property
    def profiles(self) -> pd.DataFrame: ...
    @property
    def depths_um(self) -> np.ndarray: ...

def validate(scenario: ScenarioLike, *, set: Overrides = None, seed: Optional[int] = None) -> dict[str, str]: ...
def run(scenario: ScenarioLike, *, set: Overrides = None, seed: Optional[int] = None) -> Result: ...
def check(scenario: ScenarioLike, *, set: Overrides = None) -> dict[str, Any]: ...
def cohort(
    scenario: ScenarioLike, patients: int, *, set: Overrides = None, seed: Optional[int] = None
) -> dict[str, Any]: ...
def sweep(
    spec: ScenarioLike,
    *,
    base: Optional[ScenarioLike] = None,
    shard: Optional[tuple[int, int]] = None,
    executor: Any = None,
    chunk_size: int = 16,
) -> pd.DataFrame: ...
