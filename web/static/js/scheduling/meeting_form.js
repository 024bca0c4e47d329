// The schedule / edit form: builds the JSON of ScheduleInput and sends it to the API.
import { api } from "../api.js";
import { t } from "../i18n.js";
import { clearErrors, showErrors, wallClock } from "./form_support.js";

const form = document.getElementById("meeting-form");
const DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

function checked(name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((el) => el.value);
}

function startDay() {
  const value = form.elements.start.value;
  if (!value) return null;
  const [y, m, d] = value.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return { weekday: DAYS[(date.getUTCDay() + 6) % 7], nth: Math.floor((d - 1) / 7) + 1, index: (date.getUTCDay() + 6) % 7 };
}

function syncRepeat() {
  const freq = form.querySelector('input[name="repeat"]:checked')?.value || "";
  document.getElementById("repeat-options").hidden = !freq;
  form.querySelectorAll(".weekly-only").forEach((el) => {
    el.hidden = freq !== "WEEKLY";
  });
  const day = startDay();
  const text = document.getElementById("monthly-text");
  if (day && text) text.textContent = `(${t("sched.nth." + day.nth)} ${t("sched.weekday." + day.index)})`;
  if (freq === "WEEKLY" && day && checked("weekday").length === 0) {
    const box = form.querySelector(`input[name="weekday"][value="${day.weekday}"]`);
    if (box) box.checked = true;
  }
}

// The form asks for an end time (as people say it); the API takes a length. An end at or before
// the start is the next day (a "Noc w bibliotece" runs past midnight), and the form says so.
function durationMinutes() {
  const [sh, sm] = (form.elements.start_time.value || "00:00").split(":").map(Number);
  const [eh, em] = (form.elements.end_time.value || "").split(":").map(Number);
  if (Number.isNaN(eh) || Number.isNaN(em)) return 0;
  let minutes = eh * 60 + em - (sh * 60 + sm);
  if (minutes <= 0) minutes += 24 * 60;
  return minutes;
}

function syncEnd() {
  const note = document.getElementById("f-end-day");
  const start = form.elements.start_time.value;
  const end = form.elements.end_time.value;
  note.textContent = start && end && end <= start ? note.dataset.nextDay : "";
}

// Only an in-person event has an address; online sessions are joined in their room.
function syncKind() {
  const kind = form.querySelector('input[name="kind"]:checked')?.value || "online";
  document.getElementById("address-field").hidden = kind !== "in_person";
}

function syncLibraries() {
  const whole = form.elements.whole_network.checked;
  form.querySelectorAll('#library-list input').forEach((el) => {
    el.disabled = whole;
    if (whole) el.checked = true;
  });
}

function addGuest() {
  const row = document.getElementById("guest-row").content.firstElementChild.cloneNode(true);
  const index = document.querySelectorAll("#guest-rows .guest-row").length;
  row.querySelectorAll("[data-guest]").forEach((el) => {
    if (el.tagName === "BUTTON") return;
    el.id = `guest-${index}-${el.dataset.guest}`;
    el.setAttribute("name", `guests.${index}.${el.dataset.guest}`);
    el.previousElementSibling.setAttribute("for", el.id);
  });
  row.querySelector('[data-guest="remove"]').addEventListener("click", () => row.remove());
  document.getElementById("guest-rows").append(row);
  row.querySelector("input").focus();
}

function body() {
  const date = form.elements.start.value;
  const time = form.elements.start_time.value;
  const data = {
    title: form.elements.title.value,
    kind: form.querySelector('input[name="kind"]:checked')?.value || "online",
    start: wallClock(date, time),
    duration_minutes: durationMinutes(),
    timezone: form.dataset.timezone,
    address: form.elements.address.value,
    agenda: form.elements.agenda.value,
    host_library_id: Number(form.elements.host_library_id.value),
    whole_network: form.elements.whole_network.checked,
    library_ids: checked("library_ids").map(Number),
    person_ids: checked("person_ids").map(Number),
    guests: [...document.querySelectorAll("#guest-rows .guest-row")]
      .map((row) => ({
        email: row.querySelector('[data-guest="email"]').value.trim(),
        name: row.querySelector('[data-guest="name"]').value.trim(),
        category: row.querySelector('[data-guest="category"]').value,
        language: row.querySelector('[data-guest="language"]').value,
      }))
      .filter((g) => g.email),
  };
  if (form.dataset.mode === "new") data.network_id = Number(form.dataset.networkId);
  const freq = form.querySelector('input[name="repeat"]:checked')?.value || "";
  if (freq && date) {
    const rec = { freq };
    if (freq === "WEEKLY") {
      rec.interval = Number.parseInt(form.elements["recurrence.interval"].value || "1", 10);
      rec.weekdays = checked("weekday");
    } else {
      const day = startDay();
      rec.nth = day.nth;
      rec.nth_weekday = day.weekday;
    }
    if (form.querySelector('input[name="ends"]:checked')?.value === "count") {
      rec.count = Number.parseInt(form.elements["recurrence.count"].value || "1", 10);
    } else {
      rec.until = form.elements["recurrence.until"].value || null;
    }
    data.recurrence = rec;
  }
  return data;
}

async function submit(event) {
  event.preventDefault();
  clearErrors(form);
  const status = form.querySelector(".form-status");
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  status.textContent = t("action.sending");
  try {
    const id = form.dataset.meetingId;
    const result = id
      ? await api(`/api/v1/meetings/${id}`, { method: "PUT", body: body() })
      : await api("/api/v1/meetings", { method: "POST", body: body() });
    dirty = false;
    window.location.assign(`/meetings/${result.id}?saved=${id ? "changed" : "new"}`);
  } catch (error) {
    status.textContent = "";
    showErrors(form, error);
  } finally {
    button.disabled = false;
  }
}

// Typing a last day or a number chooses how the series ends.
form.elements["recurrence.until"].addEventListener("input", () => {
  form.querySelector('input[name="ends"][value="until"]').checked = true;
});
form.elements["recurrence.count"].addEventListener("input", () => {
  form.querySelector('input[name="ends"][value="count"]').checked = true;
});

// Switching the language reloads the page: ask first when something was typed.
let dirty = false;
form.addEventListener("input", () => {
  dirty = true;
});
document.querySelector(".lang-switch")?.addEventListener(
  "submit",
  (event) => {
    if (dirty && !window.confirm(form.dataset.unsavedLanguage)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);

form.addEventListener("submit", submit);
form.elements.start_time.addEventListener("input", syncEnd);
form.elements.end_time.addEventListener("input", syncEnd);
form.querySelectorAll('input[name="kind"]').forEach((el) => el.addEventListener("change", syncKind));
form.querySelectorAll('input[name="repeat"]').forEach((el) => el.addEventListener("change", syncRepeat));
form.elements.start.addEventListener("change", syncRepeat);
form.elements.whole_network.addEventListener("change", syncLibraries);
document.getElementById("add-guest").addEventListener("click", addGuest);
syncRepeat();
syncLibraries();
syncEnd();
syncKind();
