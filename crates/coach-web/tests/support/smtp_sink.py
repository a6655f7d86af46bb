"""A real SMTP server on 127.0.0.1 for the email tests (aiosmtpd).

Writes each message it accepts into DIR as NNNNNN.json: the envelope's
sender and recipients and the message as received. Prints the port it
listens on, then serves until killed. With --fail-first N it answers the
first N messages with a temporary failure (451), to test retries; with --raw
it keeps each message as NNNNNN.eml, unparsed (benchmarks).
"""

import argparse
import email
import email.policy
import asyncio
import datetime
import json
import os
import socket
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, fail_first, delay, raw=False):
        self.raw = raw
        self.directory = directory
        self.fail_left = fail_first
        self.delay = delay
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.fail_left > 0:
                self.fail_left -= 1
                return "451 Try again later"
            self.count += 1
            n = self.count
        if self.raw:
            # Benchmarks: keep the message as it came, no parsing, no fsync.
            with open(os.path.join(self.directory, f"{n:06d}.eml"), "wb") as f:
                f.write(envelope.content)
            return "250 Message accepted"
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
        }
        record.update(parse(envelope.content))
        path = os.path.join(self.directory, f"{n:06d}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(path + ".tmp", path)
        return "250 Message accepted"


def parse(raw):
    """The message as Python's own MIME parser reads it: its headers (each
    value as received and as decoded), and its text, HTML and calendar
    parts, decoded."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    out = {
        "headers": [[k, str(v)] for k, v in message.items()],
        "raw_headers": [[k, v] for k, v in message.raw_items()],
        "text": None,
        "html": None,
        "calendars": [],
        "attachments": [],
    }
    for part in message.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        filename = part.get_filename()
        body = part.get_content()
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        if filename:
            out["attachments"].append({"filename": filename, "content_type": ctype, "body": body})
        elif ctype == "text/plain":
            out["text"] = body
        elif ctype == "text/html":
            out["html"] = body
        elif ctype == "text/calendar":
            out["calendars"].append(
                {"method": part.get_param("method"), "body": body, "events": events(body)}
            )
    return out


def attendees(event):
    found = event.get("ATTENDEE")
    if found is None:
        return []
    return found if isinstance(found, list) else [found]


def events(text):
    """The events of a calendar part as the `icalendar` package reads them
    (an independent reader): uid, start and end in UTC, rule, recurrence id,
    sequence, status, organizer and attendees."""
    import icalendar

    out = []
    calendar = icalendar.Calendar.from_ical(text)
    for e in calendar.walk("VEVENT"):
        def when(key):
            v = e.get(key)
            if v is None:
                return None
            dt = v.dt
            return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

        rule = e.get("RRULE")
        out.append(
            {
                "uid": str(e.get("UID")),
                "start": when("DTSTART"),
                "end": when("DTEND"),
                "rrule": rule.to_ical().decode() if rule is not None else None,
                "recurrence_id": when("RECURRENCE-ID"),
                "sequence": int(e.get("SEQUENCE", 0)),
                "status": str(e.get("STATUS", "")),
                "organizer": str(e.get("ORGANIZER", "")),
                "attendees": [str(a) for a in attendees(e)],
            }
        )
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--raw", action="store_true", help="keep messages as .eml, unparsed (benchmarks)")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    # A free port: the controller checks its server by connecting to it, so
    # it needs the number before it starts.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    controller = Controller(
        Sink(args.dir, args.fail_first, args.delay, args.raw), hostname="127.0.0.1", port=port
    )
    controller.start()
    print(port, flush=True)
    try:
        threading.Event().wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
