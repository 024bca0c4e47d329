// Expand an iCalendar file the way ical.js (the parser behind Thunderbird and many web
// calendars) reads it, so the Python tests can compare its answer with zoneinfo's.
//
// Usage (run from the repository root so that node_modules/ical.js resolves):
//   node tests/node/ical_expand.mjs [--from ISO] [--to ISO] [--max N] [FILE|-]
//     Prints a JSON list of {uid, start_utc, end_utc, summary, status, recurrence_id_utc}
//     for every occurrence of every VEVENT whose start lies in [from, to). Series are
//     expanded with ICAL.Event#iterator (ICAL.RecurExpansion), which drops EXDATEs;
//     RECURRENCE-ID overrides replace the occurrence they name.
//   node tests/node/ical_expand.mjs --local-offsets TZID FILE  < ["2024-03-31T01:59:59", ...]
//     Prints, for each local wall-clock time read as JSON from stdin, the UTC offset in
//     seconds that ical.js gives that wall-clock time in the file's VTIMEZONE TZID.
//
// The file's VTIMEZONEs are registered with ICAL.TimezoneService; nothing else is, so a
// VTIMEZONE that ical.js misreads shows up here exactly as it would for a user.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function parseArgs(argv) {
  const opts = { from: "1970-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z", max: 5000, file: "-" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--from") opts.from = argv[++i];
    else if (arg === "--to") opts.to = argv[++i];
    else if (arg === "--max") opts.max = Number(argv[++i]);
    else if (arg === "--local-offsets") opts.offsetsTzid = argv[++i];
    else opts.file = arg;
  }
  return opts;
}

function readInput(file) {
  return readFileSync(file === "-" ? 0 : file, "utf8");
}

function registerTimezones(vcalendar) {
  ICAL.TimezoneService.reset();
  for (const vtimezone of vcalendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(vtimezone);
  }
}

function utcIso(time) {
  // An all-day (VALUE=DATE) time is a day, not an instant: printed as the date itself.
  if (time.isDate) return time.toString();
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

function occurrence(uid, item, start, end, recurrenceId) {
  return {
    uid,
    start_utc: utcIso(start),
    end_utc: utcIso(end),
    summary: item.component.getFirstPropertyValue("summary"),
    status: item.component.getFirstPropertyValue("status"),
    recurrence_id_utc: recurrenceId ? utcIso(recurrenceId) : null,
  };
}

function expand(vcalendar, opts) {
  const fromUnix = Date.parse(opts.from) / 1000;
  const toUnix = Date.parse(opts.to) / 1000;
  const inWindow = (time) => time.toUnixTime() >= fromUnix && time.toUnixTime() < toUnix;

  // Group the VEVENTs by UID: one master (no RECURRENCE-ID) plus its overrides.
  const byUid = new Map();
  for (const vevent of vcalendar.getAllSubcomponents("vevent")) {
    const uid = vevent.getFirstPropertyValue("uid");
    if (!byUid.has(uid)) byUid.set(uid, { master: null, overrides: [] });
    const group = byUid.get(uid);
    if (vevent.hasProperty("recurrence-id")) group.overrides.push(vevent);
    else group.master = vevent;
  }

  const out = [];
  for (const [uid, group] of byUid) {
    if (group.master === null) {
      // An iTIP message may carry only an overridden occurrence.
      for (const vevent of group.overrides) {
        const event = new ICAL.Event(vevent);
        if (inWindow(event.startDate)) {
          out.push(occurrence(uid, event, event.startDate, event.endDate, event.recurrenceId));
        }
      }
      continue;
    }
    const event = new ICAL.Event(group.master, { exceptions: group.overrides });
    if (!event.isRecurring()) {
      if (inWindow(event.startDate)) {
        out.push(occurrence(uid, event, event.startDate, event.endDate, null));
      }
      continue;
    }
    const iterator = event.iterator();
    let next;
    let count = 0;
    while ((next = iterator.next()) && count < opts.max) {
      count++;
      if (next.toUnixTime() >= toUnix + 366 * 86400) break;
      const details = event.getOccurrenceDetails(next);
      if (inWindow(details.startDate)) {
        out.push(
          occurrence(uid, details.item, details.startDate, details.endDate, details.recurrenceId),
        );
      }
    }
  }
  out.sort((a, b) => (a.start_utc < b.start_utc ? -1 : a.start_utc > b.start_utc ? 1 : 0));
  return out;
}

function localOffsets(tzid, wallClocks) {
  const zone = ICAL.TimezoneService.get(tzid);
  if (!zone) throw new Error(`no VTIMEZONE with TZID ${tzid} in the file`);
  return wallClocks.map((text) => {
    const time = ICAL.Time.fromDateTimeString(text);
    time.zone = zone;
    return zone.utcOffset(time);
  });
}

const opts = parseArgs(process.argv.slice(2));
const vcalendar = new ICAL.Component(ICAL.parse(readInput(opts.file)));
registerTimezones(vcalendar);
if (opts.offsetsTzid) {
  const wallClocks = JSON.parse(readFileSync(0, "utf8"));
  process.stdout.write(JSON.stringify(localOffsets(opts.offsetsTzid, wallClocks)));
} else {
  process.stdout.write(JSON.stringify(expand(vcalendar, opts)));
}
