// Shared by the schedule and occurrence forms: wall-clock arithmetic and error display.
import { serverText, t } from "../i18n.js";

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
    el.removeAttribute("aria-errormessage");
    if ("describedbyBase" in el.dataset) {
      if (el.dataset.describedbyBase) el.setAttribute("aria-describedby", el.dataset.describedbyBase);
      else el.removeAttribute("aria-describedby");
      delete el.dataset.describedbyBase;
    }
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
      unplaced.push(serverText(message));
      continue;
    }
    const note = document.createElement("p");
    note.className = "field-error";
    note.id = `err-${name.replace(/[^\w-]/g, "-")}`;
    note.textContent = serverText(message);
    // A group (fieldset, or a field's box named by data-field) gets the note inside; a single
    // control gets it right after. The control says it is invalid and points at the note
    // through aria-describedby too (axe: aria-errormessage alone must name a live region).
    const group = ["FIELDSET", "P", "DIV"].includes(target.tagName);
    const control = group ? target.querySelector("input,select,textarea") : target;
    if (group) target.append(note);
    else target.insertAdjacentElement("afterend", note);
    if (control && !(group && target.tagName !== "DIV")) {
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-errormessage", note.id);
      if (!("describedbyBase" in control.dataset)) {
        control.dataset.describedbyBase = control.getAttribute("aria-describedby") || "";
      }
      control.setAttribute("aria-describedby", `${control.dataset.describedbyBase} ${note.id}`.trim());
    }
    first = first || control || target;
  }
  if (box) {
    const general = first ? t("action.fix_fields") : serverText(error.message) || t("action.failed");
    box.textContent = [general, ...unplaced].join(" ");
  }
  (first || box)?.focus?.();
}
