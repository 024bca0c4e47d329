// The .ics import: send the file for a preview, show what would happen, then create on request.
// The file goes as the request body (text/calendar); answers are the API's JSON.
import { ApiError, csrfToken } from "../api.js";
import { t } from "../i18n.js";

const MAX_BYTES = 1024 * 1024;
const form = document.getElementById("cal-import-form");
const result = document.getElementById("cal-import-result");

async function send(path, file) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "text/calendar", Accept: "application/json", "X-CSRF-Token": csrfToken() },
    credentials: "same-origin",
    body: file,
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function problemList(problems) {
  if (!problems || !problems.length) return null;
  const list = el("ul", { class: "cal-problems" });
  for (const problem of problems) {
    const where = problem.line ? ` (${t("calendar.import.line", { line: problem.line })})` : "";
    list.append(el("li", { text: problem.message + where }));
  }
  return el("div", {}, el("h3", { text: t("calendar.import.problems") }), list);
}

function eventTable(events) {
  if (!events || !events.length) return null;
  const head = el("tr");
  for (const key of ["title", "when", "repeats", "kind", "status"]) {
    head.append(el("th", { scope: "col", text: t(`calendar.import.col.${key}`) }));
  }
  const body = el("tbody");
  for (const event of events) {
    const status = el("td", { text: t(`calendar.import.status.${event.status}`) });
    for (const note of event.notes || []) status.append(el("p", { class: "hint", text: note }));
    const title = event.meeting_id ? el("a", { href: `/meetings/${event.meeting_id}`, text: event.title }) : event.title;
    body.append(
      el(
        "tr",
        { class: `imp-${event.status}` },
        el("td", {}, title),
        el("td", { text: event.when }),
        el("td", { text: event.repeats || t("calendar.import.once") }),
        el("td", { text: t(`calendar.kind.${event.kind}`) }),
        status,
      ),
    );
  }
  const table = el("table", {}, el("caption", { class: "visually-hidden", text: t("calendar.import.preview_title") }), el("thead", {}, head), body);
  return el("div", { class: "table-wrap" }, table);
}

function show(...nodes) {
  result.replaceChildren(...nodes.filter(Boolean));
  const heading = result.querySelector("h3, p");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

function showError(error) {
  const details = error.details || {};
  show(
    el("p", { class: "error-text", role: "alert", text: error.message || t("action.failed") }),
    problemList(details.problems),
    eventTable(details.events),
  );
}

function selectedFile() {
  const file = form.elements.namedItem("file").files[0];
  const box = form.querySelector(".form-error");
  box.textContent = "";
  if (!file) box.textContent = t("calendar.import.choose_file");
  else if (file.size > MAX_BYTES) box.textContent = t("calendar.import.too_large");
  else return file;
  form.elements.namedItem("file").focus();
  return null;
}

async function create(file, networkId, button) {
  button.disabled = true;
  const status = el("p", { role: "status", text: t("calendar.import.creating") });
  result.append(status);
  try {
    const done = await send(`/api/v1/networks/${networkId}/ics-import`, file);
    const ids = new Map(done.created.map((c) => [c.uid + "|" + c.title, c.meeting_id]));
    for (const event of done.events) event.meeting_id = ids.get(event.uid + "|" + event.title);
    show(el("p", { class: "cal-done", text: t("calendar.import.done", { count: done.created.length }) }), eventTable(done.events), problemList(done.problems));
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
}

async function preview(event) {
  event.preventDefault();
  const file = selectedFile();
  if (!file) return;
  const networkId = form.elements.namedItem("network_id").value;
  const status = form.querySelector(".form-status");
  status.textContent = t("calendar.import.reading");
  try {
    const answer = await send(`/api/v1/networks/${networkId}/ics-import/preview`, file);
    const nodes = [el("h3", { text: t("calendar.import.preview_title") }), eventTable(answer.events), problemList(answer.problems)];
    if (answer.new > 0) {
      const button = el("button", { type: "button", class: "primary", text: t("calendar.import.create", { count: answer.new }) });
      button.addEventListener("click", () => create(file, networkId, button));
      nodes.push(el("p", {}, button));
    }
    show(...nodes);
  } catch (error) {
    showError(error);
  } finally {
    status.textContent = "";
  }
}

if (form && result) form.addEventListener("submit", preview);
