"""Check the gold files of tests/series against their digests.

Run: python tests/series/check_gold.py
Every YAML must parse and name its digest; every quote, paraphrase and
evidence string must occur verbatim in the digest text; actor lists must be
sorted and unique; every id used by a statement or event must be listed;
classes, statuses, media and durations must be known forms.
"""

from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).parent
TYPES = {
    "Arrest",
    "Sentencing",
    "CourtDecision",
    "Release",
    "Charge",
    "Mistreatment",
    "Appointment",
    "InstitutionalChange",
    "Meeting",
    "MilitaryOperation",
    "MilitaryExercise",
    "Protest",
    "Casualties",
    "Restriction",
    "Legislation",
    "Displacement",
    "HumanitarianAid",
    "Investigation",
}
MEDIA = {
    "SocialMediaPost",
    "FacebookPost",
    "Interview",
    "NewsReport",
    "OfficialStatement",
    "PressRelease",
    "OpenLetter",
    "CourtTestimony",
    "Speech",
    "PhoneCall",
}
STATUS = {"Occurred", "Planned", "Alleged"}
DURATION = re.compile(r"^P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?$")


def check(gold_file: Path) -> list[str]:
    errors = []
    gold = yaml.safe_load(gold_file.read_text(encoding="utf-8"))
    name = gold_file.stem
    if str(gold.get("digest")) != name:
        errors.append(f"digest key {gold.get('digest')!r} != file name")
    text = (HERE / "digests" / f"{name}.txt").read_text(encoding="utf-8")
    actors = gold.get("actors") or []
    if actors != sorted(actors) or len(set(actors)) != len(actors):
        errors.append("actors not sorted/unique")
    for a in actors:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", a):
            errors.append(f"bad id {a!r}")
    known = set(actors)
    for i, s in enumerate(gold.get("statements") or []):
        where = f"statement {i + 1} ({s.get('speaker')})"
        if s.get("speaker") not in known:
            errors.append(f"{where}: speaker not in actors")
        if not (s.get("quote") or s.get("paraphrase")):
            errors.append(f"{where}: neither quote nor paraphrase")
        for key in ("quote", "paraphrase"):
            if s.get(key) and s[key] not in text:
                errors.append(f"{where}: {key} not verbatim: {s[key][:60]!r}")
        if s.get("medium") and s["medium"] not in MEDIA:
            errors.append(f"{where}: medium {s['medium']!r}")
        for m in s.get("mentions") or []:
            if m not in known:
                errors.append(f"{where}: mention {m} not in actors")
    for i, e in enumerate(gold.get("events") or []):
        where = f"event {i + 1} ({e.get('type')})"
        if e.get("type") not in TYPES:
            errors.append(f"{where}: unknown type")
        if e.get("status") not in STATUS:
            errors.append(f"{where}: status {e.get('status')!r}")
        if not e.get("evidence") or e["evidence"] not in text:
            errors.append(f"{where}: evidence not verbatim: {str(e.get('evidence'))[:60]!r}")
        for key in ("agent", "affected", "participants"):
            for a in e.get(key) or []:
                if a not in known:
                    errors.append(f"{where}: {key} {a} not in actors")
        if e.get("place") and e["place"] not in known:
            errors.append(f"{where}: place {e['place']} not in actors")
        if "date" in e and not isinstance(e["date"], datetime.date):
            errors.append(f"{where}: date {e['date']!r} is not a date")
        if e.get("duration") and not DURATION.match(str(e["duration"])):
            errors.append(f"{where}: duration {e['duration']!r}")
        if "quantity" in e and not isinstance(e["quantity"], int):
            errors.append(f"{where}: quantity not an integer")
    return errors


def main() -> int:
    failed = 0
    for gold_file in sorted((HERE / "gold").glob("*.yaml")):
        gold = yaml.safe_load(gold_file.read_text(encoding="utf-8"))
        errors = check(gold_file)
        counts = (
            len(gold.get("actors") or []),
            len(gold.get("statements") or []),
            len(gold.get("events") or []),
        )
        size = len((HERE / "digests" / f"{gold_file.stem}.txt").read_text(encoding="utf-8"))
        status = "ok" if not errors else f"{len(errors)} error(s)"
        print(
            f"{gold_file.stem}: {size} chars, actors {counts[0]}, statements {counts[1]}, "
            f"events {counts[2]}: {status}"
        )
        for err in errors:
            print("   ", err)
        failed += bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
