"""Reads an iCalendar feed on stdin with Debian's python3-icalendar, an iCalendar parser independent of
ical.js (which writes the feed), and prints its events as JSON: window (from the description), start and
end as UTC instants, status, the freeze named, and the description.

It checks the physical form first (CRLF line ends, no line over 75 octets, continuation lines starting
with a space, UTF-8 whole after unfolding) and exits 1 naming the first fault.

Times with a TZID are read with the VTIMEZONE in the same feed, as RFC 5545 says: a repeated local time
is its first occurrence, a nonexistent one takes the offset before the gap. (icalendar 4 would localize
TZID times through pytz with is_dst=False, which reads a repeated hour the other way: not used.)
"""
import json
import sys
from datetime import datetime, timedelta, timezone

import icalendar


def check_folding(raw: bytes) -> None:
    if not raw.endswith(b"\r\n"):
        sys.exit("feed does not end with CRLF")
    lines = raw[:-2].split(b"\r\n")
    for n, line in enumerate(lines, 1):
        if b"\n" in line or b"\r" in line:
            sys.exit(f"line {n}: a bare LF or CR (lines end with CRLF)")
        if len(line) > 75:
            sys.exit(f"line {n}: {len(line)} octets, over 75: {line[:40]!r}")
        if n == 1 and line.startswith(b" "):
            sys.exit("line 1 is a continuation line")
    unfolded = raw.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
    try:
        unfolded.decode("utf-8")
    except UnicodeDecodeError as e:
        sys.exit(f"not UTF-8 once unfolded (a fold split a character?): {e}")


def observances(cal):
    """TZID -> [(utc_onset, offset_from, offset_to)] in onset order."""
    zones = {}
    for tz in cal.walk("VTIMEZONE"):
        obs = []
        for sub in tz.subcomponents:
            if sub.name not in ("STANDARD", "DAYLIGHT"):
                continue
            onset = sub["DTSTART"].dt
            off_from = sub["TZOFFSETFROM"].td
            off_to = sub["TZOFFSETTO"].td
            obs.append((onset - off_from, off_from, off_to))
        zones[str(tz["TZID"])] = sorted(obs)
    return zones


def to_utc(prop, zones) -> datetime:
    dt = prop.dt
    tzid = prop.params.get("TZID")
    if tzid is None:
        if dt.tzinfo is None:
            sys.exit(f"floating time {dt} in an event")
        return dt.astimezone(timezone.utc).replace(tzinfo=None)
    if str(tzid) not in zones:
        sys.exit(f"TZID {tzid} has no VTIMEZONE in the feed")
    obs = zones[str(tzid)]
    local = dt.replace(tzinfo=None)
    matches = []
    for i, (onset, _, off_to) in enumerate(obs):
        until = obs[i + 1][0] if i + 1 < len(obs) else datetime.max
        utc = local - off_to
        if onset <= utc < until:
            matches.append(utc)
    if matches:
        return min(matches)  # a repeated local time: the first
    for onset, off_from, off_to in obs:
        if local - off_to < onset <= local - off_from:
            return local - off_from  # in a gap: the offset before it
    if local - obs[0][1] < obs[0][0]:
        return local - obs[0][1]
    sys.exit(f"{local} in {tzid} is outside the VTIMEZONE's observances")


def iso(d: datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def main() -> None:
    raw = sys.stdin.buffer.read()
    check_folding(raw)
    cal = icalendar.Calendar.from_ical(raw)
    zones = observances(cal)
    out = []
    for ev in cal.walk("VEVENT"):
        desc = str(ev["DESCRIPTION"])
        out.append(
            {
                "uid": str(ev["UID"]),
                "window": desc.split("\n")[0].split(" ")[2],
                "start": iso(to_utc(ev["DTSTART"], zones)),
                "end": iso(to_utc(ev["DTEND"], zones)),
                "startParams": dict(ev["DTSTART"].params),
                "status": str(ev.get("STATUS", "")),
                "freeze": str(ev["X-PATCHWISE-FREEZE"]) if "X-PATCHWISE-FREEZE" in ev else None,
                "summary": str(ev["SUMMARY"]),
                "description": desc,
            }
        )
    json.dump({"zones": sorted(zones), "events": out}, sys.stdout, ensure_ascii=False)


main()
