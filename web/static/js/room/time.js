// Times arrive as UTC ISO strings; people read them in their own zone (Europe/Warsaw by default).
let zone = "Europe/Warsaw";
// en-GB: day-month order and a 24-hour clock, as Polish readers of the English page expect.
const language = document.documentElement.lang === "en" ? "en-GB" : "pl";

export function setZone(timeZone) {
  if (timeZone) zone = timeZone;
}

function format(iso, options) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(language, { timeZone: zone, ...options }).format(date);
}

export function clock(iso) {
  return format(iso, { hour: "2-digit", minute: "2-digit" });
}

export function full(iso) {
  return format(iso, { dateStyle: "medium", timeStyle: "short" });
}

export function dayKey(iso) {
  return format(iso, { year: "numeric", month: "2-digit", day: "2-digit" });
}

export function day(iso) {
  return format(iso, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
}

export function minutesSince(iso) {
  return (Date.now() - new Date(iso).getTime()) / 60000;
}
