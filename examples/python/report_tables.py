"""The State's questionnaire as pandas tables: targets against realised, and who entered.

Builds the evaluation report of a (synthetic) contract year, takes it in long form
(``Report.to_pandas()``: one row per figure) and pivots it into the tables a chargé de
mission pastes into the questionnaire: the public table of each fiche action (Objectif /
Réalisé and the rate of completion), then the characteristics of the people who entered
(sex, age, household, housing just before entry) side by side for the four actions.

Run: python examples/python/report_tables.py [EXPORT_DIR]
(with an export folder of real data, or without argument for a synthetic cohort).
"""

import sys
import tempfile
from pathlib import Path

import pandas as pd

import ctai

CONTRACT = "dijon-2023-2024"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp) / "cohort"
        if len(sys.argv) <= 1:
            ctai.write_exchange_dir(ctai.generate_cohort(persons=2000, seed=7), folder)
        with ctai.Store.open(Path(tmp) / "cases.db") as store:
            store.import_dir(folder)
            report = store.report(CONTRACT)
        figures = report.to_pandas()  # the report stays valid once the store is closed
        print(f"{report.contract_title}: {report.start} .. {report.end}, "
              f"{len(figures)} figures")

        # Public tables: the fiches' rows with a target, and how far each one got.
        public = figures[figures["block"] == "public"]
        targets = public.dropna(subset=["target"])[["action", "label", "target", "realised"]]
        targets = targets.assign(rate=(100 * targets["realised"] / targets["target"]).round(1))
        print("\nTargets (Objectif) against realised (Réalisé), % of the target:")
        print(targets.to_string(index=False))
        by_public = public.pivot(index="key", columns="action", values="realised")
        print("\nPublic table, every row, one column per action:")
        print(by_public.loc[["total", "men", "women", "under_25", "bpi", "bpi_under_25",
                             "primo_arrivants", "bpt", "not_eligible"]].astype("Int64"))

        # Who entered: each breakdown of the entrants as a table (entries x actions).
        for key in ("entrants_by_sex", "entrants_by_age_band", "entrants_by_household_size",
                    "entrants_by_housing_at_entry"):
            rows = figures[figures["key"] == key]
            label = rows["label"].iloc[0].split(" : ")[0]
            table = rows.pivot(index="entry", columns="action", values="realised")
            print(f"\n{label}:")
            print(table.fillna(0).astype("Int64"))

        # Fiche 4: the households that reached lasting housing, by the housing they moved into.
        housed = figures[(figures["action"] == 4) &
                         (figures["key"] == "households_housed_by_housing_type")]
        total = figures[(figures["action"] == 4) & (figures["key"] == "households_housed")]
        print(f"\nFiche 4, households housed: {int(total['realised'].iloc[0])}")
        print(housed.set_index("entry")["realised"].astype("Int64").to_string())


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    main()
