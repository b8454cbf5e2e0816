#!/usr/bin/env python3
"""Writes the committed seed corpus of the fuzz targets (tests/fuzz/corpus/<target>/) from the
test fixtures, all synthetic. Run again after a fixture changes; the fuzzers' own finds stay
out of the repository except the reproducers kept in tests/fuzz/regressions/<target>/."""
import hashlib
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "data"
ROOT = HERE.parent.parent


def put(target: str, content: bytes) -> None:
    out = HERE / "corpus" / target
    out.mkdir(parents=True, exist_ok=True)
    (out / hashlib.sha1(content).hexdigest()[:16]).write_bytes(content)


def pack(folder: pathlib.Path) -> bytes:
    parts = []
    for f in sorted(folder.iterdir()):
        if f.is_file():
            body = f.read_bytes()
            parts.append(b"#FILE " + f.name.encode() + b"\n" + body + (b"" if body.endswith(b"\n") else b"\n"))
    return b"".join(parts)


for folder in sorted((DATA / "exchange").iterdir()):
    if folder.is_dir():
        put("import", pack(folder))
        for f in sorted(folder.glob("*.csv")):
            put("csv", f.read_bytes())
# A folder holding only persons.csv (the format's one required file).
put("import", b"#FILE persons.csv\n" + (DATA / "exchange" / "valid" / "persons.csv").read_bytes())
# Dated nationalities (nationalities.csv, #17): the worked case of a refugee naturalised French.
put("import", b"#FILE persons.csv\nperson_id,sex,birth_date,nationalities,household_id,department\n"
    b"N1,F,1990-04-02,,H1,21\nP2,M,1985-01-01,SY|FR,H2,21\n"
    b"#FILE protections.csv\nperson_id,type,authority,decision_date\nN1,refugee,OFPRA,2021-05-10\n"
    b"#FILE nationalities.csv\nperson_id,nationality,acquired_on,lost_on\nN1,SYR,,\n"
    b"N1,FR,2024-03-01,\nP2,SY,,2024-06-01\nP2,FR,2024-06-01,\n")
for f in sorted((DATA / "csv").glob("*")) if (DATA / "csv").is_dir() else []:
    if f.is_file():
        put("csv", f.read_bytes())
for text in ["2024-02-29", "2023-02-30", "29/02/2024", "1/3/2024", "01/09/2023 00:00", "1985",
             "1985-07", "0000-01-01", "9999-12-31", "2024-13-01", " 2024-01-01", "+2024-01-01"]:
    put("dates", text.encode())
for f in sorted((ROOT / "libctai" / "data" / "contracts").glob("*.json")):
    put("contract", f.read_bytes())
for f in sorted((DATA / "contracts").glob("*.json")) if (DATA / "contracts").is_dir() else []:
    put("contract", f.read_bytes())
for text in ['{}', '{"boundary": "inclusive", "agir_recency": "calendar_n_minus_1"}',
             '{"feb29": "march_first", "excluded_motives": ["student"], "suppression_k": 5}',
             '{"agir_start": {"21": "2024-01-01"}, "bpt_end_dates": ["2025-03-04"]}']:
    put("policy", text.encode())
