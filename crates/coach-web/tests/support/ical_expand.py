"""Expands an iCalendar feed with an independent parser (icalendar and
recurring-ical-events from PyPI) and prints every occurrence between two
instants as JSON: uid, start and end in UTC, the local start with its zone,
summary, description, url, sequence and recurrence id."""

import datetime
import json
import sys

import icalendar
import recurring_ical_events


def utc(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def main():
    path, start, end = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    start = datetime.datetime.fromisoformat(start.replace("Z", "+00:00"))
    end = datetime.datetime.fromisoformat(end.replace("Z", "+00:00"))
    out = []
    for e in recurring_ical_events.of(cal).between(start, end):
        s = e["DTSTART"].dt
        rid = e.get("RECURRENCE-ID")
        out.append(
            {
                "uid": str(e["UID"]),
                "start": utc(s),
                "end": utc(e["DTEND"].dt),
                "local": s.strftime("%Y-%m-%dT%H:%M") if isinstance(s, datetime.datetime) else "",
                "zone": str(getattr(s, "tzinfo", "") or ""),
                "summary": str(e.get("SUMMARY", "")),
                "description": str(e.get("DESCRIPTION", "")),
                "url": str(e.get("URL", "")),
                "sequence": int(e.get("SEQUENCE", 0)),
                "recurrence_id": utc(rid.dt) if rid is not None else None,
            }
        )
    out.sort(key=lambda o: (o["start"], o["uid"]))
    timezones = [str(c["TZID"]) for c in cal.walk("VTIMEZONE")]
    print(json.dumps({"events": out, "timezones": timezones}))


if __name__ == "__main__":
    main()
