"""The Python package end to end: run, check, cohort, sweep, errors, and distributed sweeps
equal to the CLI's table."""

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dermasim

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

FAST = """name = "Forearm stamp"
[skin]
site = "forearm"
papillary_dermis_um = 100
reticular_dermis_um = 100
[device]
type = "stamp"
preset = "array-600"
needle_length_mm = 0.15
needle_diameter_mm = 0.3
[protocol]
setting = "office"
area_cm2 = 1
[[products]]
name = "caffeine"
concentration_mg_ml = 10
[simulation]
seed = 11
window_mm = 1
duration_h = 0.01
transport = "unit_cell"
resolution = "coarse"
"""

SPEC = """[sweep]
name = "stamp sweep"
base = "base.toml"
[[axis]]
path = "device.needle_length_mm"
values = [0.15, 0.2, 0.25]
[[axis]]
path = "products.0.concentration_mg_ml"
range = { start = 5, stop = 15, step = 5 }
"""


def cli() -> Path | None:
    env = os.environ.get("DERMASIM_BIN")
    if env:
        return Path(env)
    for p in (ROOT / "target" / "debug" / "dermasim", ROOT / "target" / "release" / "dermasim"):
        if p.exists():
            return p
    found = shutil.which("dermasim")
    return Path(found) if found else None


def test_run_a_path_returns_summary_and_frames():
    r = dermasim.run(EXAMPLES / "home-roller-serum.toml", set={"simulation.transport": "off"})
    assert r.summary["channels"]["count"] == len(r.channels) > 0
    assert isinstance(r.channels, pd.DataFrame)
    assert {"x_um", "depth_um", "layer", "torn", "hole"} <= set(r.channels.columns)
    assert len(r.punctures) == len(r.channels)
    d = r.depths_um
    assert isinstance(d, np.ndarray) and d.dtype == float
    assert abs(d.mean() - r.summary["channels"]["mean_depth_um"]) < 1e-6 * max(1.0, d.mean())
    assert r.provenance["overrides"] == ["simulation.transport=\"off\""]
    assert "simulation.transport" in r.scenario_toml and "off" in r.scenario_toml
    assert r.summary["disclaimer"] == dermasim.DISCLAIMER


def test_text_dict_and_path_give_the_same_numbers():
    a = dermasim.run(FAST)
    import tomllib

    b = dermasim.run(tomllib.loads(FAST))
    assert a.summary["channels"] == b.summary["channels"]
    assert a.summary["delivery"]["caffeine"]["cumulative_ug_per_cm2"] == b.summary["delivery"]["caffeine"]["cumulative_ug_per_cm2"]
    assert a.provenance["scenario_sha256"] == b.provenance["scenario_sha256"]
    series = a.series
    assert {"stage", "quantity", "t", "value"} <= set(series.columns)
    assert (series["quantity"] == "cumulative_delivered").any()
    assert "depth_um" in a.profiles.columns


def test_overrides_and_seed_reach_the_provenance_and_saved_scenario():
    r = dermasim.run(FAST, set={"device.needle_length_mm": 0.2}, seed=5)
    assert r.provenance["overrides"] == ["device.needle_length_mm=0.2", "simulation.seed=5"]
    assert r.provenance["seed"] == 5
    assert "needle_length_mm = 0.2" in r.scenario_toml
    assert dermasim.validate(r.scenario_toml)["scenario_sha256"] == r.provenance["scenario_sha256"]


def test_errors_carry_the_field_and_allowed_range():
    with pytest.raises(dermasim.ScenarioError) as e:
        dermasim.run(FAST, set={"device.needle_length_mm": 9})
    assert e.value.field == "device.needle_length_mm"
    assert e.value.allowed == "0.05 to 3.5 mm"
    assert isinstance(e.value, ValueError)
    with pytest.raises(dermasim.ScenarioError) as e:
        dermasim.cohort(FAST, 0)
    assert e.value.field == "--patients"
    with pytest.raises(FileNotFoundError):
        dermasim.run("no/such/file.toml")


def test_check_and_cohort():
    c = dermasim.check(EXAMPLES / "acne-scars-roller-office.toml")
    assert c["verdict"] in ("ok", "caution", "contraindicated")
    assert isinstance(c["findings"], list)
    home = dermasim.check(EXAMPLES / "acne-scars-roller-office.toml", set={"protocol.setting": "home"})
    assert home["verdict"] != "ok", "a 1.5 mm roller at home is flagged"
    k = dermasim.cohort(EXAMPLES / "acne-scars-roller-office.toml", 50, seed=3)
    assert k["patients"] == 50
    assert k == dermasim.cohort(EXAMPLES / "acne-scars-roller-office.toml", 50, seed=3)


def test_runs_release_the_gil():
    """A Python thread keeps running while a run computes in another."""
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    start = time.perf_counter()
    dermasim.run(EXAMPLES / "acne-scars-roller-office.toml", set={"simulation.transport": "unit_cell"})
    end = time.perf_counter()
    stop.set()
    t.join()
    during = [x for x in ticks if start < x < end]
    # With the GIL held for the whole run the ticker could not run at all meanwhile.
    assert end - start < 0.05 or len(during) >= 5, (end - start, len(during))


@pytest.fixture()
def spec_dir(tmp_path):
    (tmp_path / "base.toml").write_text(FAST)
    (tmp_path / "spec.toml").write_text(SPEC)
    return tmp_path


def test_sweep_table(spec_dir):
    df = dermasim.sweep(spec_dir / "spec.toml")
    assert len(df) == 9
    assert list(df["point"]) == list(range(9))
    assert df["point"].dtype == np.uint64
    assert df["products[0].concentration_mg_ml"].dtype == np.int64
    assert df["delivery.caffeine.cumulative_ug_per_cm2"].notna().all()
    assert df["spec_sha256"].nunique() == 1
    assert df.attrs["spec_sha256"] == df["spec_sha256"][0]
    shard = dermasim.sweep(spec_dir / "spec.toml", shard=(1, 3))
    pd.testing.assert_frame_equal(shard.reset_index(drop=True), df.iloc[1::3].reset_index(drop=True))
    # The spec as a string with the base given explicitly: the same table.
    same = dermasim.sweep(SPEC, base=spec_dir / "base.toml")
    pd.testing.assert_frame_equal(same, df)


def test_sweep_with_a_thread_pool_executor_equals_the_local_sweep(spec_dir):
    from concurrent.futures import ThreadPoolExecutor

    local = dermasim.sweep(spec_dir / "spec.toml")
    with ThreadPoolExecutor(2) as ex:
        dist = dermasim.sweep(spec_dir / "spec.toml", executor=ex, chunk_size=2)
    pd.testing.assert_frame_equal(dist, local)


def cli_table(spec_dir):
    exe = cli()
    if exe is None:
        pytest.skip("the dermasim binary is not built (cargo build -p dermasim-cli)")
    out = spec_dir / "cli-out"
    subprocess.run([str(exe), "sweep", str(spec_dir / "spec.toml"), "--out", str(out), "--quiet"], check=True)
    return pd.read_parquet(out / "sweep.parquet")


def test_sweep_equals_the_cli_table(spec_dir):
    pd.testing.assert_frame_equal(dermasim.sweep(spec_dir / "spec.toml"), cli_table(spec_dir))


def test_ray_sweep_equals_the_cli_table(spec_dir):
    ray = pytest.importorskip("ray")
    expected = cli_table(spec_dir)
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    try:
        got = dermasim.sweep(spec_dir / "spec.toml", executor=ray, chunk_size=3)
    finally:
        ray.shutdown()
    pd.testing.assert_frame_equal(got, expected)


def test_dask_sweep_equals_the_cli_table(spec_dir):
    distributed = pytest.importorskip("distributed")
    expected = cli_table(spec_dir)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            got = dermasim.sweep(spec_dir / "spec.toml", executor=client, chunk_size=2)
    pd.testing.assert_frame_equal(got, expected)
