// My data (/profile/data): a requested export appears in the list at once and its progress bar
// follows the background build until the download link is there.
import { api } from "./api.js";
import { serverText, t } from "./i18n.js";

const list = document.getElementById("exports");
const POLL_MS = 700;

function itemFor(id) {
  let item = list.querySelector(`[data-export-id="${id}"]`);
  if (!item) {
    item = document.createElement("li");
    item.dataset.exportId = String(id);
    const subject = document.createElement("span");
    subject.className = "export-subject";
    const status = document.createElement("span");
    status.className = "export-status";
    const bar = document.createElement("progress");
    item.append(subject, " · ", status, " ", bar);
    list.prepend(item);
    document.getElementById("exports-none").hidden = true;
  }
  return item;
}

function show(data) {
  const item = itemFor(data.id);
  item.dataset.status = data.status;
  item.querySelector(".export-subject").textContent = data.subject;
  item.querySelector(".export-status").textContent = t(`data.status.${data.status}`);
  const bar = item.querySelector("progress");
  bar.max = Math.max(data.total, 1);
  bar.value = data.done;
  bar.hidden = !["pending", "building"].includes(data.status);
  if (data.download_url && !item.querySelector(".export-download")) {
    const link = document.createElement("a");
    link.className = "export-download";
    link.href = data.download_url;
    link.setAttribute("download", "");
    link.textContent = t("data.download");
    item.append(" ", link);
  }
}

async function follow(id) {
  for (;;) {
    const data = await api(`/api/v1/exports/${id}`);
    show(data);
    if (!["pending", "building"].includes(data.status)) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

document.addEventListener("api:done", (event) => {
  if (event.target.closest("form")?.dataset.api === "/api/v1/exports" && event.detail) {
    show(event.detail);
    follow(event.detail.id);
  }
});
for (const item of list.querySelectorAll("li[data-export-id]")) {
  if (["pending", "building"].includes(item.dataset.status)) follow(item.dataset.exportId);
}

// Erasing by number (coordinator): the id goes into the path, so these forms are sent here.
for (const form of document.querySelectorAll("form[data-erase]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = form.querySelector(".form-status");
    const error = form.querySelector(".form-error");
    error.textContent = "";
    const id = form.elements.id.value.trim();
    if (!window.confirm(form.dataset.confirm)) return;
    try {
      const done = await api(`/api/v1/${form.dataset.erase}/${encodeURIComponent(id)}/erase`, {
        method: "POST",
        body: {},
      });
      status.textContent = t("erase.done", { name: done.name });
      form.reset();
    } catch (failure) {
      error.textContent = serverText(failure.message);
    }
  });
}
