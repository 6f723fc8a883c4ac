"""dermasim from Python: a microneedling treatment turned into numbers.

>>> import dermasim
>>> r = dermasim.run("examples/home-roller-serum.toml", set={"simulation.transport": "off"})
>>> r.summary["channels"]["mean_depth_um"]          # the summary.json numbers, as a dict
>>> r.channels.head()                                 # pandas DataFrames of the tables
>>> df = dermasim.sweep("examples/sweeps/acne-needle-passes.toml")   # one row per point

Every function takes a scenario as a path, a TOML string or a dict, plus optional overrides
(``set={"device.needle_length_mm": 0.5}`` or ``set=["device.needle_length_mm=0.5"]``). Runs
release the GIL. Invalid input raises :class:`ScenarioError` (a ``ValueError``) naming the
field, the value and the allowed range.

dermasim is a research and planning simulator, not a medical device. It informs; it does not
prescribe.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from . import _dermasim as _native

__all__ = [
    "run",
    "check",
    "cohort",
    "sweep",
    "validate",
    "Result",
    "ScenarioError",
    "Problem",
    "DISCLAIMER",
    "__version__",
]

__version__: str = _native.version()
DISCLAIMER: str = _native.DISCLAIMER

ScenarioLike = Union[str, "os.PathLike[str]", Mapping[str, Any]]
Overrides = Union[None, Mapping[str, Any], Sequence[str]]


@dataclass(frozen=True)
class Problem:
    """One problem with an input: the field (dotted path, may be empty), the message naming
    the value and what is allowed, and the allowed range cut out of it (or None)."""

    field: str
    message: str
    allowed: Optional[str]


def _allowed(message: str) -> Optional[str]:
    m = re.search(r"allowed (.*?)(?: \(set by --set\))?$", message.splitlines()[0] if message else "")
    return m.group(1) if m else None


class ScenarioError(ValueError):
    """Invalid scenario, sweep spec or option.

    ``field``, ``message`` and ``allowed`` describe the first problem; ``problems`` lists all.
    """

    def __init__(self, message: str, problems: Sequence[Problem]):
        super().__init__(message)
        self.problems: list[Problem] = list(problems)
        first = self.problems[0] if self.problems else Problem("", message, _allowed(message))
        self.field: str = first.field
        self.message: str = first.message
        self.allowed: Optional[str] = first.allowed


def _raise(e: Exception) -> None:
    if isinstance(e, _native.InvalidInput):
        message, pairs = e.args[0], e.args[1] if len(e.args) > 1 else []
        problems = [Problem(f, m, _allowed(m)) for f, m in pairs]
        raise ScenarioError(message, problems) from None
    raise e


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)  # a TOML basic string
    return json.dumps(v)


def _overrides(set: Overrides, seed: Optional[int] = None) -> list[str]:
    out: list[str] = []
    if set is None:
        pass
    elif isinstance(set, Mapping):
        out = [f"{k}={_toml_value(v)}" for k, v in set.items()]
    elif isinstance(set, str):
        out = [set]
    else:
        out = [str(s) for s in set]
    if seed is not None:
        out.append(f"simulation.seed={int(seed)}")
    return out


def _read(source: ScenarioLike) -> tuple[str, Optional[Path]]:
    """(TOML text, the file it came from)."""
    if isinstance(source, Mapping):
        try:
            return _native.toml_from_json(json.dumps(source)), None
        except Exception as e:  # noqa: BLE001
            _raise(e)
    if isinstance(source, os.PathLike):
        p = Path(source)
        return p.read_text(encoding="utf-8"), p
    if isinstance(source, str):
        looks_like_path = "\n" not in source and "=" not in source
        if looks_like_path:
            p = Path(source)
            if not p.exists():
                raise FileNotFoundError(f"scenario file {source} does not exist")
            return p.read_text(encoding="utf-8"), p
        return source, None
    raise TypeError(f"scenario: expected a path, a TOML string or a dict, got {type(source).__name__}")


def _call(f, *args, **kwargs):
    try:
        return f(*args, **kwargs)
    except Exception as e:  # noqa: BLE001
        _raise(e)


def _frame(columns: Mapping[str, list]):
    import pandas as pd

    return pd.DataFrame(dict(columns))


@dataclass
class Result:
    """What one run computes.

    ``summary`` is ``summary.json`` as a dict; ``scenario_toml`` the effective scenario (the
    input with every override applied); ``punctures``, ``channels``, ``series`` and
    ``profiles`` are pandas DataFrames with the columns of the CLI's CSV files
    (``docs/outputs.md``, ``docs/report.md``).
    """

    summary: dict
    scenario_toml: str
    _tables: dict = field(repr=False)

    @property
    def provenance(self) -> dict:
        """``summary["provenance"]``: version, build commit, scenario hash, seed, overrides."""
        return self.summary["provenance"]

    @property
    def punctures(self):
        return _frame(self._tables["punctures"])

    @property
    def channels(self):
        return _frame(self._tables["channels"])

    @property
    def series(self):
        """Every time series, long format: stage, quantity, subject, condition, unit, t, t_unit, value."""
        return _frame(self._tables["series"])

    @property
    def profiles(self):
        """Every depth profile, long format (``depth_um`` before ``value``)."""
        return _frame(self._tables["profiles"])

    @property
    def depths_um(self):
        """Channel depths as a numpy array (µm)."""
        import numpy as np

        return np.asarray(self._tables["channels"]["depth_um"], dtype=float)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"<dermasim.Result {s['scenario']['name']!r}: {s['channels']['count']} channels, "
            f"mean depth {s['channels']['mean_depth_um']:.0f} um, safety {s['safety']['verdict']}>"
        )


def validate(scenario: ScenarioLike, *, set: Overrides = None, seed: Optional[int] = None) -> dict:
    """Validates a scenario without running it: ``{"scenario_toml", "scenario_sha256"}``."""
    text, _ = _read(scenario)
    eff, sha = _call(_native.validate, text, _overrides(set, seed))
    return {"scenario_toml": eff, "scenario_sha256": sha}


def run(scenario: ScenarioLike, *, set: Overrides = None, seed: Optional[int] = None) -> Result:
    """Runs every stage of a scenario (path, TOML string or dict); the GIL is released."""
    text, _ = _read(scenario)
    out = _call(_native.run, text, _overrides(set, seed))
    return Result(
        summary=json.loads(out["summary"]),
        scenario_toml=out["scenario_toml"],
        _tables={k: out[k] for k in ("punctures", "channels", "series", "profiles")},
    )


def check(scenario: ScenarioLike, *, set: Overrides = None) -> dict:
    """The safety screening alone: ``{"verdict": "ok" | "caution" | "contraindicated", "findings": [...]}``."""
    text, _ = _read(scenario)
    return json.loads(_call(_native.check, text, _overrides(set)))


def cohort(
    scenario: ScenarioLike, patients: int, *, set: Overrides = None, seed: Optional[int] = None
) -> dict:
    """A virtual cohort given the scenario's series: ``cohort.json`` as a dict."""
    text, _ = _read(scenario)
    return json.loads(_call(_native.cohort, text, _overrides(set), int(patients), seed))


# ---------------------------------------------------------------------------------------------
# Sweeps


def _arrow_type(kind: str):
    import pyarrow as pa

    return {"float": pa.float64(), "int": pa.int64(), "uint": pa.uint64(), "str": pa.string(), "bool": pa.bool_()}[kind]


def _run_chunk(spec_text: str, base_text: str, indices: list[int]) -> dict:
    """One task of a distributed sweep: the columns of some points. Runs on a worker."""
    plan = _call(_native.SweepPlan, spec_text, base_text, False)
    return _call(plan.run, list(indices))


def _chunks(indices: list[int], n: int) -> list[list[int]]:
    return [indices[i : i + n] for i in range(0, len(indices), n)]


def _gather(executor: Any, spec_text: str, base_text: str, chunks: list[list[int]]) -> list[dict]:
    # Ray: the `ray` module (after ray.init()).
    if getattr(executor, "__name__", None) == "ray" and hasattr(executor, "remote"):
        task = executor.remote(_run_chunk)
        return executor.get([task.remote(spec_text, base_text, c) for c in chunks])
    # Dask (distributed.Client) or any concurrent.futures.Executor.
    if hasattr(executor, "submit"):
        futures = [executor.submit(_run_chunk, spec_text, base_text, c, pure=False) if _is_dask(executor)
                   else executor.submit(_run_chunk, spec_text, base_text, c) for c in chunks]
        if hasattr(executor, "gather"):
            return executor.gather(futures)
        return [f.result() for f in futures]
    raise TypeError(
        "executor: expected the ray module (after ray.init()), a dask.distributed Client, "
        f"or a concurrent.futures Executor; got {type(executor).__name__}"
    )


def _is_dask(executor: Any) -> bool:
    return type(executor).__module__.startswith("distributed")


def sweep(
    spec: ScenarioLike,
    *,
    base: Optional[ScenarioLike] = None,
    shard: Optional[tuple[int, int]] = None,
    executor: Any = None,
    chunk_size: int = 16,
):
    """Runs a sweep (``docs/sweeps.md``) and returns its table as a pandas DataFrame: the same
    columns, types and values as the CLI's ``sweep.parquet`` for the same spec.

    ``spec`` is a path, a TOML string or a dict; its ``sweep.base`` is read relative to the spec
    file, or given as ``base`` (path, TOML string or dict). ``shard=(k, n)`` runs points k, k+n, ….
    ``executor`` distributes chunks of ``chunk_size`` points as tasks: the ``ray`` module (after
    ``ray.init()``), a ``dask.distributed.Client``, or any ``concurrent.futures.Executor``;
    without one the points run here, in parallel, with the GIL released.
    """
    import pyarrow as pa

    spec_text, spec_path = _read(spec)
    if base is not None:
        base_text, _ = _read(base)
    else:
        rel = _call(_native.spec_base, spec_text)
        root = spec_path.parent if spec_path is not None else Path(".")
        base_text = (root / rel).read_text(encoding="utf-8")
    plan = _call(_native.SweepPlan, spec_text, base_text, True)
    indices = list(range(len(plan))) if shard is None else plan.shard(int(shard[0]), int(shard[1]))
    if chunk_size < 1:
        raise ScenarioError(
            f"chunk_size = {chunk_size} is out of range: allowed 1 or more",
            [Problem("chunk_size", f"chunk_size = {chunk_size} is out of range: allowed 1 or more", "1 or more")],
        )
    if executor is None:
        parts = [_call(plan.run, indices)] if indices else []
    else:
        parts = _gather(executor, spec_text, base_text, _chunks(indices, chunk_size))
    columns = plan.columns()
    data = {name: [] for name, _ in columns}
    for part in parts:
        for name, _ in columns:
            data[name].extend(part[name])
    table = pa.table({name: pa.array(data[name], type=_arrow_type(kind)) for name, kind in columns})
    table = table.sort_by("point") if table.num_rows else table
    df = table.to_pandas()
    df.attrs["spec_sha256"] = plan.spec_sha256
    df.attrs["name"] = plan.name
    return df
