"""A notebook-style tour of dermasim from Python (run it cell by cell in Jupyter, or whole:
``python examples/python/explore.py`` from the repository root).

Build and install the package first (README, "Python"): ``pip install ./python``.
dermasim is a research and planning simulator, not a medical device: it informs, it does not
prescribe.
"""

# %% One run: a path, a TOML string or a dict, with overrides
from pathlib import Path

import dermasim

examples = Path(__file__).resolve().parents[1]
acne = examples / "acne-scars-roller-office.toml"
r = dermasim.run(acne, set={"device.needle_length_mm": 1.0, "simulation.transport": "unit_cell"})
print(r)
print("provenance:", r.provenance)

# %% The summary is a dict; the tables are pandas DataFrames
s = r.summary
print(f"mean channel depth {s['channels']['mean_depth_um']:.0f} um; redness gone after {s['healing']['erythema_resolved_h']:.0f} h")
print(r.channels.groupby("layer").size().rename("channels reaching"))
delivered = r.series.query("quantity == 'cumulative_delivered' and condition == 'treated'")
print(delivered[["subject", "t", "value", "unit"]].tail())

# %% Safety screening alone (fast), and a virtual cohort
print(dermasim.check(acne, set={"protocol.setting": "home"})["verdict"], "at home with 1.5 mm needles")
c = dermasim.cohort(acne, 200, seed=1)
print(f"cohort: {100 * c['improved_1_grade_or_more_fraction']:.0f} % improve by one grade or more")

# %% Errors name the field and the allowed range
try:
    dermasim.run(acne, set={"device.needle_length_mm": 9})
except dermasim.ScenarioError as e:
    print(f"refused: {e.field}, allowed {e.allowed}")

# %% A sweep: which needle length and pass count deliver most with redness gone soonest?
df = dermasim.sweep(examples / "sweeps" / "acne-needle-passes.toml")
product = "delivery.hyaluronic-acid-low-mw.cumulative_ug_per_cm2"
cols = ["device.needle_length_mm", "protocol.passes[0].count", product, "healing.erythema_resolved_h"]
print(df[cols].sort_values(product, ascending=False).head(8).to_string(index=False))
quick = df[df["healing.erythema_resolved_h"] < 48]
print(f"{len(quick)} of {len(df)} plans have the redness gone within 48 h")

# %% The same sweep on a cluster: pass a Ray module or a Dask client as executor
# import ray; ray.init(); df = dermasim.sweep(spec, executor=ray)
# from dask.distributed import Client; df = dermasim.sweep(spec, executor=Client())
