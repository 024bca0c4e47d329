// Uploads files to the room one request each (XMLHttpRequest, because fetch cannot report
// upload progress), and shows each as a row with a progress bar, its percent and a Cancel
// button. The file card itself arrives through the chat like any message.
import { ApiError, csrfToken } from "../api.js";
import { t } from "../i18n.js";
import { humanSize } from "./file_format.js";

function send(roomId, file, onProgress) {
  const xhr = new XMLHttpRequest();
  const done = new Promise((resolve, reject) => {
    xhr.open("POST", `/api/v1/rooms/${roomId}/files`);
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status === 201) resolve(xhr.response);
      else reject(new ApiError(xhr.status, xhr.response));
    });
    xhr.addEventListener("error", () => reject({ code: "network", message: t("files.network_error") }));
    xhr.addEventListener("abort", () => reject({ code: "cancelled" }));
    const form = new FormData();
    form.append("file", file, file.name || "plik");
    xhr.send(form);
  });
  return { done, cancel: () => xhr.abort() };
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class Uploads {
  // list: the <ul> for the rows; announce(text): says results out loud (aria-live).
  constructor(list, { roomId, maxBytes, announce }) {
    this.list = list;
    this.roomId = roomId;
    this.maxBytes = maxBytes;
    this.announce = announce;
  }

  start(files) {
    for (const file of files) this.one(file);
  }

  row(file) {
    const item = el("li", "upload");
    const name = el("span", "upload-name", file.name || "plik");
    const size = el("span", "upload-size", humanSize(file.size));
    const bar = el("progress", "upload-bar");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", t("files.uploading", { name: file.name }));
    const percent = el("span", "upload-percent", t("files.progress", { percent: 0 }));
    const cancel = el("button", "small upload-cancel", t("files.cancel"));
    cancel.type = "button";
    cancel.setAttribute("aria-label", t("files.cancel_named", { name: file.name }));
    const status = el("span", "upload-status");
    item.append(name, size, bar, percent, cancel, status);
    this.list.prepend(item);
    return { item, bar, percent, cancel, status };
  }

  finish(row, state, text) {
    row.item.dataset.state = state;
    row.status.textContent = text;
    row.cancel.remove();
    if (state === "done") {
      row.bar.value = 100;
      row.percent.textContent = t("files.progress", { percent: 100 });
      // Finished rows leave after a while; the card in the conversation is the lasting sign.
      setTimeout(() => row.item.remove(), 6000);
    } else {
      row.bar.remove();
      row.percent.remove();
      const dismiss = el("button", "small link-like", "×");
      dismiss.type = "button";
      dismiss.setAttribute("aria-label", t("files.cancel"));
      dismiss.addEventListener("click", () => row.item.remove());
      row.item.append(dismiss);
    }
    this.announce(text);
  }

  async one(file) {
    const row = this.row(file);
    if (file.size > this.maxBytes) {
      this.finish(row, "failed", t("files.too_large", { name: file.name, max: humanSize(this.maxBytes) }));
      return;
    }
    row.item.dataset.state = "uploading";
    const upload = send(this.roomId, file, (fraction) => {
      const percent = Math.floor(fraction * 100);
      row.bar.value = percent;
      row.percent.textContent = t("files.progress", { percent });
    });
    row.cancel.addEventListener("click", upload.cancel);
    try {
      await upload.done;
      this.finish(row, "done", t("files.done", { name: file.name }));
    } catch (error) {
      if (error.code === "cancelled") this.finish(row, "cancelled", t("files.cancelled", { name: file.name }));
      else this.finish(row, "failed", failureText(error, file, this.maxBytes));
    }
  }
}

// The server's messages are English; the ones people meet are said here in their language.
function failureText(error, file, maxBytes) {
  if (error.code === "file_too_large") {
    const max = (error.details && error.details.max_bytes) || maxBytes;
    return t("files.too_large", { name: file.name, max: humanSize(max) });
  }
  let reason = error.message || t("files.network_error");
  if (error.code === "guest_upload_forbidden") reason = t("files.guests_forbidden");
  else if (error.code === "room_locked") reason = t("files.read_only");
  return t("files.failed", { name: file.name, reason });
}
