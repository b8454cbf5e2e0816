"""How long do journeys last? An analyst's first look at a (synthetic) cohort.

Generates a synthetic cohort, imports it into a store, loads the journeys into pandas and
computes lengths by action and by public at entry; completed-only figures are biased while
journeys are still open, so ctai.journey_stats gives the Kaplan-Meier estimates (with their
95 % confidence intervals) that count the open journeys as censored, for any grouping.

Run: python examples/python/average_journey_length.py [EXPORT_DIR]
(with an export folder of real data, or without argument for a synthetic cohort).
"""

import datetime as dt
import sys
import tempfile
from pathlib import Path

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

            # One row per journey as known on ON, straight into pandas: journeys entered
            # after ON are left out, exits after ON reopened; `length` is min(exit, ON) -
            # entry, `open` tells the censored ones.
            journeys = store.journeys(contract=CONTRACT, censor_on=ON).to_pandas()
            # The public of each person at the entry of their journey: one check per
            # journey in a single call; "not_eligible" is a category of its own, so no
            # journey drops out of a grouping.
            at_entry = store.eligibility_for(journeys["person_id"].tolist(),
                                             on=journeys["entry"].to_numpy())
            journeys["public"] = at_entry.to_pandas()["public"].to_numpy()

            completed = journeys[~journeys["open"]]
            print("\nCompleted journeys, length in days, by action:")
            print(completed.groupby("action")["length"].agg(["count", "mean", "median"]).round(1))

            # The censoring caveat: open journeys are left out of the figures above, and
            # they are the long ones. Kaplan-Meier uses them as censored observations.
            print(f"\nCensoring at {ON}: every journey, open ones censored (Kaplan-Meier):")
            by_action = ctai.journey_stats(journeys, on=ON, by="action")
            print(by_action.set_index("action")[
                ["count", "open", "mean_days", "km_median_days", "km_median_lower_days",
                 "km_median_upper_days", "km_restricted_mean_days"]].round(1).to_string())

            print("\n... by action and public at entry:")
            table = ctai.journey_stats(journeys, on=ON, by=["action", "public"])
            print(table[["action", "public", "count", "open", "km_median_days",
                         "km_restricted_mean_days"]].round(1).to_string(index=False))
            # No journey is lost in any grouping.
            assert by_action["count"].sum() == table["count"].sum() == len(journeys)

            # The store's own split (public at entry) gives the same counts.
            by_public = store.journey_stats_by_public(contract=CONTRACT, action=1, on=ON)
            mine = table[table["action"] == 1].set_index("public")["count"]
            assert {k: v.count for k, v in by_public.items()} == mine.to_dict()


if __name__ == "__main__":
    main()
