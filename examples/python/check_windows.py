"""Who leaves the five-year primo-arrivant window or the AGIR recency window soon?

For every person of the store, on a given date: those in the public today whose window ends
within the next N days, with the day it ends. Uses the columnar eligibility table (NumPy
arrays computed in C++) and ctai.within_years on whole arrays.

Run: python examples/python/check_windows.py [STORE_OR_EXPORT_DIR] [DAYS]
"""

import datetime as dt
import sys
import tempfile
from pathlib import Path

import numpy as np

import ctai

ON = dt.date(2024, 6, 1)


def main() -> None:
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 90
    with tempfile.TemporaryDirectory() as tmp:
        if len(sys.argv) > 1 and Path(sys.argv[1]).is_dir():
            folder = Path(sys.argv[1])
        else:
            folder = Path(tmp) / "cohort"
            ctai.write_exchange_dir(ctai.generate_cohort(persons=2000, seed=5), folder)
        with ctai.Store.open(":memory:") as store:
            store.import_dir(folder)
            table = store.eligibility_table(on=ON)

            today = np.datetime64(ON, "D")
            horizon = today + np.timedelta64(days, "D")
            print(f"{len(table)} persons evaluated on {ON}; windows ending before {horizon}")

            # Five-year window (R3): the end is in the table (NaT when no anchor).
            end = table.primo_window_end
            leaving = table.primo_arrivant & (end <= horizon)
            print(f"\nPrimo-arrivants leaving the five-year window within {days} days: "
                  f"{int(leaving.sum())}")
            for pid, day in list(zip(table.person_id[leaving], end[leaving]))[:10]:
                print(f"  {pid}  last day {day - np.timedelta64(1, 'D')}")

            # The same from the anchors with the vectorised kernel: still inside on ON but
            # no longer on the horizon date.
            inside_now = ctai.within_years(table.primo_anchor, 5, on=ON)
            inside_then = ctai.within_years(table.primo_anchor, 5, on=horizon.item())
            assert ((inside_now & ~inside_then & table.primo_arrivant) == leaving).all()

            # Two-year AGIR recency window (R6) for protected persons.
            agir_end = table.agir_window_end
            agir_leaving = table.agir & (agir_end <= horizon)
            print(f"\nAGIR-eligible persons leaving the recency window within {days} days: "
                  f"{int(agir_leaving.sum())}")
            order = np.argsort(agir_end[agir_leaving])
            for pid, day in list(zip(table.person_id[agir_leaving][order],
                                     agir_end[agir_leaving][order]))[:10]:
                print(f"  {pid}  window ends {day}")

            # What ends, for each person, and whether they stay in the CTAI public after it
            # (a BPI whose five-year window ends stays, as BPI): store.windows().
            ends = store.windows(on=ON, within=days)
            print(f"\nEverything ending within {days} days: {len(ends)} ends")
            for kind in ctai.WindowKind:
                mine = ends.kind == kind.value
                print(f"  {kind.value:13} {int(mine.sum()):4}  of which the person stays in the "
                      f"public: {int((mine & ends.stays).sum())}")


if __name__ == "__main__":
    main()
