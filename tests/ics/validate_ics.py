#!/usr/bin/env python3
"""Validate iCalendar files written by Rapport.

Usage: validate_ics.py FILE.ics [FILE.ics ...]

Each file is parsed by the `icalendar` package (strict: a parse error fails) and checked for what
RFC 5545 requires and Rapport promises: CRLF line ends and no line over 75 octets; a VCALENDAR
with VERSION:2.0 and PRODID; every VEVENT with UID, DTSTAMP, DTSTART and DTEND in UTC (DTSTART
before DTEND), SUMMARY, and a STATUS of CONFIRMED, TENTATIVE or CANCELLED.

Prints one line per event (`event <UID> <STATUS>`) and `N file(s) valid, M event(s)`; exits 0
when every file passes, 1 with one line per problem otherwise, and 2 when the validator cannot
run at all (missing package, no files). It never skips.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone

try:
    import icalendar
except ImportError as error:  # never skip: a missing validator is a failure
    print(
        f"validate_ics.py: cannot import icalendar ({error}); install it with `pip install icalendar`",
        file=sys.stderr,
    )
    sys.exit(2)

REQUIRED_EVENT = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "STATUS")
STATUSES = {"CONFIRMED", "TENTATIVE", "CANCELLED"}


def utc(value: object) -> bool:
    return isinstance(value, datetime) and value.tzinfo is not None and value.utcoffset() == timezone.utc.utcoffset(None)


def check(path: str, problems: list[str]) -> int:
    raw = open(path, "rb").read()
    if not raw.endswith(b"\r\n"):
        problems.append(f"{path}: does not end with CRLF")
    for number, line in enumerate(raw.split(b"\r\n")[:-1], start=1):
        if b"\n" in line or b"\r" in line:
            problems.append(f"{path}:{number}: bare line break (lines must end in CRLF)")
        if len(line) > 75:
            problems.append(f"{path}:{number}: {len(line)} octets (at most 75)")
    try:
        cal = icalendar.Calendar.from_ical(raw)
    except Exception as error:  # the parser's own words name the problem
        problems.append(f"{path}: does not parse: {error}")
        return 0
    if cal.name != "VCALENDAR":
        problems.append(f"{path}: top component is {cal.name}, not VCALENDAR")
    if str(cal.get("VERSION", "")) != "2.0":
        problems.append(f"{path}: VERSION must be 2.0")
    if not cal.get("PRODID"):
        problems.append(f"{path}: PRODID missing")
    errors = getattr(cal, "errors", [])
    for component in cal.walk():
        for where, message in getattr(component, "errors", []):
            problems.append(f"{path}: {component.name} {where}: {message}")
    if errors:
        problems.append(f"{path}: {errors}")
    events = 0
    uids = set()
    for event in cal.walk("VEVENT"):
        events += 1
        uid = str(event.get("UID", "?"))
        for prop in REQUIRED_EVENT:
            if prop not in event:
                problems.append(f"{path}: event {uid}: {prop} missing")
        if uid in uids:
            problems.append(f"{path}: UID {uid} repeated")
        uids.add(uid)
        start = event.get("DTSTART")
        end = event.get("DTEND")
        stamp = event.get("DTSTAMP")
        for name, prop in (("DTSTART", start), ("DTEND", end), ("DTSTAMP", stamp)):
            if prop is not None and not utc(prop.dt):
                problems.append(f"{path}: event {uid}: {name} is not a UTC date-time")
        if start is not None and end is not None and utc(start.dt) and utc(end.dt) and not start.dt < end.dt:
            problems.append(f"{path}: event {uid}: DTSTART is not before DTEND")
        status = str(event.get("STATUS", ""))
        if status not in STATUSES:
            problems.append(f"{path}: event {uid}: STATUS {status!r} is not one of {sorted(STATUSES)}")
        print(f"event {uid} {status}")
    return events


def main(paths: list[str]) -> int:
    if not paths:
        print("validate_ics.py: no files given", file=sys.stderr)
        return 2
    problems: list[str] = []
    events = sum(check(p, problems) for p in paths)
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return 1
    print(f"{len(paths)} file(s) valid, {events} event(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
