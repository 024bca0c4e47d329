// Shared by the schedule and occurrence forms: wall-clock arithmetic and error display.
import { t } from "../i18n.js";

// "2026-10-20" + "10:00" + 90 -> "2026-10-20T11:30:00" (wall clock; the server applies the zone).
export function addMinutes(date, time, minutes) {
  const [y, mo, d] = date.split("-").map(Number);
  const [h, mi] = time.split(":").map(Number);
  const moment = new Date(Date.UTC(y, mo - 1, d, h, mi + minutes));
  return moment.toISOString().slice(0, 19);
}

export function wallClock(date, time) {
  return `${date}T${time}:00`;
}

export function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((el) => el.remove());
  form.querySelectorAll("[aria-invalid]").forEach((el) => {
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-describedby-error");
  });
  const box = form.querySelector(".form-error");
  if (box) box.textContent = "";
}

// Details keys are field names ("title", "recurrence.weekdays", "guests.0.email"); each error is
// shown next to the element with that name or data-field, and the first one gets focus.
export function showErrors(form, error) {
  const box = form.querySelector(".form-error");
  const details = error.details && typeof error.details === "object" ? error.details : {};
  let first = null;
  let unplaced = [];
  for (const [name, message] of Object.entries(details)) {
    const target =
      form.querySelector(`[data-field="${CSS.escape(name)}"]`) ||
      form.querySelector(`[name="${CSS.escape(name)}"]`) ||
      form.querySelector(`[data-error-name="${CSS.escape(name)}"]`);
    if (!target) {
      unplaced.push(String(message));
      continue;
    }
    const note = document.createElement("p");
    note.className = "field-error";
    note.id = `err-${name.replace(/[^\w-]/g, "-")}`;
    note.textContent = String(message);
    if (target.tagName === "FIELDSET" || target.tagName === "P") target.append(note);
    else {
      target.setAttribute("aria-invalid", "true");
      target.setAttribute("aria-errormessage", note.id);
      target.insertAdjacentElement("afterend", note);
    }
    first = first || (target.tagName === "FIELDSET" ? target.querySelector("input,select") : target);
  }
  if (box) {
    const general = first ? t("action.fix_fields") : error.message || t("action.failed");
    box.textContent = [general, ...unplaced].join(" ");
  }
  (first || box)?.focus?.();
}
