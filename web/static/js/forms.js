// Every <form data-api="/api/v1/..."> is sent as JSON; field errors (422) appear by their fields.
// data-type on a field: int, float, bool, list, optional (empty = not sent);
// data-method: HTTP method (default POST); data-then: "reload", "message:<text>" or a path in
// which {id} / {name} are filled from the response; data-confirm: ask first.
// A dotted name ("values.rate_per_km", "persons.12") nests: {"values": {"rate_per_km": ...}}.
import { api, setCsrfToken } from "./api.js";
import { serverText, t } from "./i18n.js";

function numberOr(number, raw) {
  return Number.isFinite(number) ? number : raw;
}

function valueOf(field) {
  if (field.type === "checkbox") return field.checked;
  const raw = field.value;
  const kind = field.dataset.type;
  // A number that does not parse is sent as typed, so the server names the field in its answer.
  if (kind === "int") return raw === "" ? null : numberOr(Number(raw.trim()), raw);
  if (kind === "bool") return raw === "true";
  if (kind === "optional") return raw.trim() === "" ? null : raw;
  if (kind === "float") return raw === "" ? null : numberOr(Number(raw.trim().replace(",", ".")), raw);
  if (kind === "list") return raw.split(/[\n,;]+/).map((s) => s.trim()).filter(Boolean);
  return raw;
}

function put(body, name, value) {
  const path = name.split(".");
  let place = body;
  for (const part of path.slice(0, -1)) place = place[part] ??= {};
  place[path[path.length - 1]] = value;
}

export function formBody(form) {
  const body = {};
  for (const field of form.elements) {
    if (!field.name || field.disabled || field.type === "submit") continue;
    if (field.type === "radio" && !field.checked) continue;
    if (field.multiple) {
      put(body, field.name, [...field.selectedOptions].map((o) => (field.dataset.type === "int" ? Number(o.value) : o.value)));
      continue;
    }
    const value = valueOf(field);
    if (value === null && field.dataset.optional !== "keep") continue;
    put(body, field.name, value);
  }
  return body;
}

function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((el) => el.remove());
  form.querySelectorAll("[aria-invalid]").forEach((el) => {
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-errormessage");
    if (el.dataset.describedby) el.setAttribute("aria-describedby", el.dataset.describedby);
    else el.removeAttribute("aria-describedby");
  });
  const box = form.querySelector(".form-error");
  if (box) box.textContent = "";
}

export function showErrors(form, error) {
  const box = form.querySelector(".form-error");
  // Only a 422 maps field names to messages; other errors' details are not for people.
  const details = error.status === 422 && error.details && typeof error.details === "object" ? error.details : {};
  let first = null;
  const elsewhere = [];
  for (const [name, message] of Object.entries(details)) {
    const field = fieldNamed(form, name);
    if (!field || !field.id || field.type === "hidden") {
      elsewhere.push(serverText(message));
      continue;
    }
    const note = document.createElement("p");
    note.className = "field-error";
    note.id = `${field.id}-error`;
    note.textContent = serverText(message);
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-errormessage", note.id);
    field.dataset.describedby = field.getAttribute("aria-describedby") || "";
    field.setAttribute("aria-describedby", `${field.dataset.describedby} ${note.id}`.trim());
    field.insertAdjacentElement("afterend", note);
    first = first || field;
  }
  if (box) {
    box.textContent = first ? t("action.fix_fields") : errorText(error);
    if (elsewhere.length) box.textContent += ` ${elsewhere.join(" ")}`;
  }
  (first || box)?.focus?.();
}

// The field an error names: by its whole name, else by its last part ("rate_per_km" is the
// form's "values.rate_per_km"), when exactly one field ends so.
function fieldNamed(form, name) {
  const exact = form.elements.namedItem(name);
  if (exact) return exact;
  const ending = [...form.elements].filter((f) => f.name && f.name.endsWith(`.${name}`));
  return ending.length === 1 ? ending[0] : null;
}

// The API's message in the page's language: a known server text, else a text for the error
// code, else the status; a failed fetch (no connection) has no status at all.
export function errorText(error) {
  if (!error || !error.status) return t("action.failed");
  const translated = serverText(error.message);
  if (translated !== error.message) return translated;
  for (const key of [`api_error.${error.code}`, `api_error.status_${error.status}`]) {
    if (t(key) !== key) return t(key);
  }
  return error.message || t("action.failed");
}

function fill(template, data) {
  return template.replace(/\{(\w+)\}/g, (_, key) => encodeURIComponent(data?.[key] ?? ""));
}

async function submit(event) {
  const form = event.target.closest("form[data-api]");
  if (!form) return;
  event.preventDefault();
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
  clearErrors(form);
  const status = form.querySelector(".form-status");
  const button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  if (status) status.textContent = t("action.sending");
  try {
    const data = await api(form.dataset.api, {
      method: form.dataset.method || "POST",
      body: (form.dataset.method || "POST") === "DELETE" ? undefined : formBody(form),
    });
    if (data && data.csrf_token) setCsrfToken(data.csrf_token);
    const then = form.dataset.then || "";
    form.dispatchEvent(new CustomEvent("api:done", { detail: data, bubbles: true }));
    if (then === "reload") window.location.reload();
    else if (then.startsWith("message:")) {
      if (status) status.textContent = then.slice(8);
      form.reset();
    } else if (then) window.location.assign(fill(then, data));
    else if (status) status.textContent = t("action.saved");
  } catch (error) {
    if (status) status.textContent = "";
    showErrors(form, error);
  } finally {
    if (button) button.disabled = false;
  }
}

document.addEventListener("submit", submit);
