"""How long do journeys last? An analyst's first look at a (synthetic) cohort.

Generates a synthetic cohort, imports it into a store, loads the journeys into pandas and
computes mean / median lengths by action and by public; then shows why the completed-only
figures are biased while journeys are still open, and the Kaplan-Meier estimates that count
the open journeys as censored.

Run: python examples/python/average_journey_length.py [EXPORT_DIR]
(with an export folder of real data, or without argument for a synthetic cohort).
"""

import datetime as dt
import sys
import tempfile
from pathlib import Path

import pandas as pd

import ctai

CONTRACT = "dijon-2023-2024"
ON = dt.date(2024, 10, 15)  # the evaluation date: open journeys are censored there


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp) / "cohort"
        if len(sys.argv) <= 1:
            ctai.write_exchange_dir(ctai.generate_cohort(persons=1000, seed=2024), folder)
        with ctai.Store.open(Path(tmp) / "cases.db") as store:
            summary = store.import_dir(folder)
            print(f"imported {summary.rows_read} rows, {store.person_count()} persons")

            # One row per journey, straight into pandas (no Python object per row in C++).
            journeys = store.journeys(contract=CONTRACT, censor_on=ON).to_pandas()
            # The public of each person at the entry of their journey: eligibility at one
            # date per journey would be many calls; here, the public on the evaluation date
            # is enough for a first look (journey_stats_by_public below uses the entry date).
            publics = store.eligibility_table(on=ON).to_pandas()[["person_id", "public"]]
            journeys = journeys.merge(publics, on="person_id", how="left")

            completed = journeys[~journeys["open"]]
            print("\nCompleted journeys, length in days, by action:")
            print(completed.groupby("action")["length"].agg(["count", "mean", "median"]).round(1))
            print("\n... by action and public (on the evaluation date):")
            table = (completed.groupby(["action", "public"], observed=True)["length"]
                     .agg(["count", "mean", "median"]).round(1))
            print(table)

            # The censoring caveat: open journeys are left out of the figures above, and
            # they are the long ones. Kaplan-Meier uses them as censored observations.
            print(f"\nCensoring at {ON}: open journeys are excluded from completed-only means.")
            rows = []
            for action in sorted(journeys["action"].unique()):
                s = store.journey_stats(contract=CONTRACT, action=int(action), on=ON)
                rows.append({
                    "action": int(action), "count": s.count, "open": s.open,
                    "completed_mean": s.mean_days, "completed_median": s.median_days,
                    "km_median": s.km_median_days, "km_restricted_mean": s.km_restricted_mean_days,
                })
            print(pd.DataFrame(rows).set_index("action").round(1).to_string())

            by_public = store.journey_stats_by_public(contract=CONTRACT, action=1, on=ON)
            print("\nAction 1 by public at entry (Kaplan-Meier median, days):")
            for public, s in sorted(by_public.items()):
                print(f"  {public:15} {s.count:4} journeys, {s.open:3} open, "
                      f"KM median {s.km_median_days}")


if __name__ == "__main__":
    main()
