"""Many eligibility checks at different dates: was each referral's person in the public, and
AGIR-eligible, on the day the referral was proposed?

Three ways to ask, with the same answers: one Store.eligibility call per check (always on the
current data of the file), a CaseSnapshot (every case in memory: an image of one moment, for
loops), and one batch call with NumPy arrays (Store.eligibility_for: the fastest).

Run: python examples/python/point_checks.py [STORE_OR_EXPORT_DIR]
"""

import sys
import tempfile
import time
from pathlib import Path

import ctai


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if len(sys.argv) > 1 and Path(sys.argv[1]).is_dir():
            folder = Path(sys.argv[1])
        else:
            folder = Path(tmp) / "cohort"
            ctai.write_exchange_dir(ctai.generate_cohort(persons=2000, seed=11), folder)
        with ctai.Store.open(":memory:") as store:
            store.import_dir(folder)
            referrals = store.referrals()  # columns: person_id, proposed_on, ...
            persons = list(referrals.person_id)
            days = referrals.proposed_on  # datetime64[D]
            dates = [d.item() for d in days]
            print(f"{len(persons)} referrals to check")

            t = time.perf_counter()
            one_by_one = [store.eligibility(p, on=d) for p, d in zip(persons, dates)]
            t_store = time.perf_counter() - t

            t = time.perf_counter()
            snapshot = store.case_snapshot()
            from_snapshot = [snapshot.eligibility(p, on=d) for p, d in zip(persons, dates)]
            t_snap = time.perf_counter() - t

            t = time.perf_counter()
            batch = store.eligibility_for(persons, on=days)
            t_batch = time.perf_counter() - t

            # The same answers, whichever way (the batch keeps the order given).
            assert list(batch.person_id) == persons
            assert [e.to_dict() for e in one_by_one] == [e.to_dict() for e in from_snapshot]
            assert list(batch.agir.astype(bool)) == [e.agir for e in one_by_one]
            assert list(batch.ctai_public.astype(bool)) == [e.ctai_public for e in one_by_one]

            in_public = int(batch.ctai_public.sum())
            agir = int(batch.agir.sum())
            print(f"in the CTAI public on the day proposed: {in_public}; AGIR-eligible: {agir}")
            by_category = {}
            for category in batch.public:
                by_category[category or "none"] = by_category.get(category or "none", 0) + 1
            print("by public category:", dict(sorted(by_category.items())))
            n = max(len(persons), 1)
            print(f"per check: Store.eligibility {t_store / n * 1e6:.1f} us, "
                  f"CaseSnapshot {t_snap / n * 1e6:.1f} us (snapshot included), "
                  f"eligibility_for {t_batch / n * 1e6:.2f} us")


if __name__ == "__main__":
    main()
