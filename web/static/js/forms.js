// Every <form data-api="/api/v1/..."> is sent as JSON; field errors (422) appear by their fields.
// data-method: HTTP method (default POST); data-then: "reload", "message:<text>" or a path in
// which {id} / {name} are filled from the response; data-confirm: ask first.
import { api, setCsrfToken } from "./api.js";
import { t } from "./i18n.js";

function valueOf(field) {
  if (field.type === "checkbox") return field.checked;
  const raw = field.value;
  const kind = field.dataset.type;
  if (kind === "int") return raw === "" ? null : Number.parseInt(raw, 10);
  if (kind === "float") return raw === "" ? null : Number.parseFloat(raw.replace(",", "."));
  if (kind === "list") return raw.split(/[\n,;]+/).map((s) => s.trim()).filter(Boolean);
  return raw;
}

export function formBody(form) {
  const body = {};
  for (const field of form.elements) {
    if (!field.name || field.disabled || field.type === "submit") continue;
    if (field.type === "radio" && !field.checked) continue;
    if (field.multiple) {
      body[field.name] = [...field.selectedOptions].map((o) => (field.dataset.type === "int" ? Number(o.value) : o.value));
      continue;
    }
    const value = valueOf(field);
    if (value === null && field.dataset.optional !== "keep") continue;
    body[field.name] = value;
  }
  return body;
}

function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((el) => el.remove());
  form.querySelectorAll("[aria-invalid]").forEach((el) => {
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-errormessage");
  });
  const box = form.querySelector(".form-error");
  if (box) box.textContent = "";
}

export function showErrors(form, error) {
  const box = form.querySelector(".form-error");
  const details = error.details && typeof error.details === "object" ? error.details : {};
  let first = null;
  for (const [name, message] of Object.entries(details)) {
    const field = form.elements.namedItem(name);
    if (!field || !field.id) continue;
    const note = document.createElement("p");
    note.className = "field-error";
    note.id = `${field.id}-error`;
    note.textContent = String(message);
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-errormessage", note.id);
    field.insertAdjacentElement("afterend", note);
    first = first || field;
  }
  if (box) box.textContent = first ? t("action.fix_fields") : error.message || t("action.failed");
  (first || box)?.focus?.();
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
