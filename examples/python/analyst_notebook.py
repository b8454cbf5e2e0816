# %% [markdown]
# # An analyst's tour of a (synthetic) cohort
#
# Notebook-style (`# %%` cells: VS Code, Jupytext, Spyder run them cell by cell; `python
# examples/python/analyst_notebook.py` runs them all). Journeys as known on a date,
# Kaplan-Meier by any grouping, every table, and the State's report in pandas, polars and
# DuckDB. Needs pandas, polars and duckdb (pyarrow is optional).

# %%
import datetime as dt
import sys
import tempfile
from pathlib import Path

import duckdb
import polars as pl

import ctai

ON = dt.date(2024, 6, 1)           # "as known on": what the team knew on that day
tmp = Path(tempfile.mkdtemp())
folder = Path(sys.argv[1]) if len(sys.argv) > 1 else tmp / "cohort"
if len(sys.argv) <= 1:
    ctai.write_exchange_dir(ctai.generate_cohort(persons=800, seed=20), folder)
store = ctai.Store.open(tmp / "cases.db")
store.import_dir(folder)

# %% [markdown]
# ## Journeys as known on a date
# Entered after `ON`: left out. Exits after `ON`: still open then. `length` is
# `min(exit, ON) - entry`; missing values are nulls (`<NA>`), never -1 or "".

# %%
journeys = store.journeys(censor_on=ON).to_pandas()
at_entry = store.eligibility_for(journeys["person_id"].tolist(), on=journeys["entry"].to_numpy())
journeys["public"] = at_entry.to_pandas()["public"].to_numpy()
print(journeys[["action", "entry", "exit", "open", "length", "exit_reason", "public"]].head())
assert (journeys["length"] >= 0).all()

# %% [markdown]
# ## Kaplan-Meier by any grouping (95 % intervals as lifelines computes them)

# %%
km = ctai.journey_stats(journeys, on=ON, by=["action", "referral_source"])
print(km[["action", "referral_source", "count", "open", "km_median_days",
          "km_median_lower_days", "km_median_upper_days"]].round(1).to_string(index=False))
assert km["count"].sum() == len(journeys)          # nobody dropped by the grouping
curves = ctai.journey_curves(journeys, on=ON, by="public")

# %% [markdown]
# ## Every table of the exchange format

# %%
tables = store.tables()
persons = pl.DataFrame(tables["persons"])          # the Arrow C stream: no pyarrow needed
print(persons.group_by("birth_precision").len().sort("birth_precision"))
steps = tables["steps"]
print(duckdb.sql("SELECT step, count(*) AS n FROM steps GROUP BY step ORDER BY n DESC").fetchall())

# %% [markdown]
# ## The State's report in pandas, polars and DuckDB

# %%
figures = store.report("dijon-2023-2024").to_pandas()
under_25 = duckdb.sql("SELECT action, realised FROM figures WHERE block = 'public' "
                      "AND key = 'under_25' ORDER BY action").fetchall()
print("under 25, by action:", under_25)
print(pl.from_pandas(figures).filter(pl.col("key") == "total").select("action", "realised"))
store.close()
