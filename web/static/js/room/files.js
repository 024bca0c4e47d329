// Files in the room page: the file card in the conversation (messages of kind "file"), the
// "Files" tab listing everything shared here, and sharing by button, drag and drop or paste.
// Builds DOM with textContent only; links are made from the file id, never from a message body.
import { api } from "../api.js";
import { t } from "../i18n.js";
import { downloadUrl, fileId, humanSize, kindLabel, thumbnailUrl } from "./file_format.js";
import { registerKind } from "./message_view.js";
import { registerPanel } from "./panels.js";
import { full } from "./time.js";
import { Uploads } from "./upload.js";

const root = document.getElementById("room");
const config = JSON.parse(root.dataset.config);
const roomId = config.room.id;
const me = config.me;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function link(href, className, text) {
  const a = el("a", className, text);
  a.href = href;
  return a;
}

// --- the card in the conversation ----------------------------------------------------------
const seen = new Set();
let onNewFile = () => {};

function renderCard(message, body) {
  const card = message.body || {};
  const id = fileId(card.file_id);
  const name = String(card.name || message.text || "plik");
  if (id === null) {
    body.textContent = name;
    return;
  }
  const size = humanSize(card.size);
  const box = el("div", "file-card");
  if (card.removed) {
    // Removed after the retention period: the name stays, the links (which would 404) go.
    box.classList.add("file-card-removed");
    const meta = el("div", "file-meta");
    meta.append(el("span", "file-name", name));
    meta.append(el("span", "file-info", t("files.removed_by_retention")));
    box.append(meta);
    body.append(box);
    return;
  }
  if (card.thumb_width && card.thumb_height) {
    const view = link(`${downloadUrl(id, name)}?inline=1`, "file-thumb");
    view.target = "_blank";
    view.rel = "noopener";
    const img = el("img");
    img.src = thumbnailUrl(id);
    img.alt = t("files.thumbnail_alt", { name });
    img.width = Math.round(card.thumb_width / 2);
    img.height = Math.round(card.thumb_height / 2);
    img.loading = "lazy";
    view.append(img);
    box.append(view);
  }
  const meta = el("div", "file-meta");
  const title = link(downloadUrl(id, name), "file-name", name);
  title.setAttribute("download", name);
  meta.append(title);
  meta.append(el("span", "file-info", `${kindLabel(card.mime)} · ${size}`));
  const button = link(downloadUrl(id, name), "file-download", t("files.download"));
  button.setAttribute("download", name);
  button.setAttribute("aria-label", t("files.download_named", { name, size }));
  meta.append(button);
  box.append(meta);
  body.append(box);
  if (!seen.has(id)) {
    seen.add(id);
    onNewFile(id);
  }
}

registerKind("file", renderCard);

// --- the "Files" tab --------------------------------------------------------------------------
let state = null;

async function fetchFiles(beforeId = null) {
  const query = beforeId ? `?before_id=${beforeId}` : "";
  return api(`/api/v1/rooms/${roomId}/files${query}`);
}

function fileRow(file) {
  const item = el("li", "file-row");
  item.dataset.fileId = String(file.id);
  const name = link(downloadUrl(file.id, file.name), "file-name", file.name);
  name.setAttribute("download", file.name);
  item.append(name);
  item.append(el("span", "file-info", `${kindLabel(file.mime)} · ${humanSize(file.size)}`));
  const who = el("span", "file-who");
  const time = el("time", "", full(file.created_at));
  time.dateTime = file.created_at;
  who.append(`${file.uploader === me.who ? t("rooms.msg.me") : file.uploader_name}, `, time);
  item.append(who);
  return item;
}

function buildPanel(panel) {
  const heading = el("h3", "visually-hidden", t("files.list_title"));
  heading.id = "files-list-title";
  const list = el("ul", "file-list");
  list.setAttribute("aria-labelledby", "files-list-title");
  const empty = el("p", "muted files-empty", t("files.list_empty"));
  const more = el("button", "files-more", t("files.more"));
  more.type = "button";
  more.hidden = true;
  panel.append(heading, list, empty, more);
  let nextBefore = null;

  function show(page, append) {
    if (!append) list.replaceChildren();
    for (const file of page.files) {
      list.append(fileRow(file));
      seen.add(file.id);
    }
    nextBefore = page.next_before_id;
    more.hidden = !nextBefore;
    empty.hidden = list.children.length > 0;
  }
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      show(await fetchFiles(nextBefore), true);
    } finally {
      more.disabled = false;
    }
  });

  if (state.may_moderate && config.room.kind === "session") panel.append(guestRule());

  let refreshing = null;
  const refresh = () => {
    clearTimeout(refreshing);
    refreshing = setTimeout(async () => show(await fetchFiles(), false), 300);
  };
  onNewFile = refresh;
  show(state, false);
}

// Moderators of a meeting's room decide whether its guests may share files.
function guestRule() {
  const box = el("div", "check files-guest-rule");
  const input = el("input");
  input.type = "checkbox";
  input.id = "files-guests-may-upload";
  input.checked = state.guests_may_upload;
  const label = el("label", "", t("files.guests_may_upload"));
  label.htmlFor = input.id;
  const status = el("span", "form-status");
  status.setAttribute("role", "status");
  input.addEventListener("change", async () => {
    input.disabled = true;
    try {
      const next = await api(`/api/v1/rooms/${roomId}/file-settings`, {
        method: "PUT",
        body: { guests_may_upload: input.checked },
      });
      state.guests_may_upload = next.guests_may_upload;
    } catch (error) {
      input.checked = !input.checked;
      status.textContent = error.message;
    } finally {
      input.disabled = false;
    }
  });
  box.append(input, label, status);
  return box;
}

// --- sharing: the button, drag and drop, paste ---------------------------------------------
function buildShareBar() {
  const bar = el("div", "file-share");
  const input = el("input");
  input.type = "file";
  input.multiple = true;
  input.hidden = true;
  input.id = "file-input";
  const button = el("button", "file-share-button", t("files.share"));
  button.type = "button";
  button.setAttribute("aria-describedby", "file-share-hint");
  const hint = el("p", "hint", t("files.share_hint", { max: humanSize(state.max_file_bytes) }));
  hint.id = "file-share-hint";
  const note = el("p", "file-share-note");
  const list = el("ul", "uploads");
  list.setAttribute("aria-label", t("files.share"));
  const announcer = el("div", "visually-hidden");
  announcer.setAttribute("aria-live", "polite");
  bar.append(input, button, hint, note, list, announcer);

  const uploads = new Uploads(list, {
    roomId,
    maxBytes: state.max_file_bytes,
    announce: (text) => {
      announcer.textContent = text;
    },
  });
  let enabled = true;
  const share = (files) => {
    if (enabled && files.length) uploads.start([...files]);
  };
  button.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    share(input.files);
    input.value = "";
  });

  // The conversation is the drop zone; dropping elsewhere must not open the file instead.
  const zone = root.querySelector(".chat");
  const hasFiles = (event) => event.dataTransfer && [...event.dataTransfer.types].includes("Files");
  let depth = 0;
  zone.dataset.dropLabel = t("files.drop_here");
  zone.addEventListener("dragenter", (event) => {
    if (!hasFiles(event) || !enabled) return;
    depth += 1;
    zone.classList.add("dropping");
  });
  zone.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) zone.classList.remove("dropping");
  });
  zone.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = enabled ? "copy" : "none";
  });
  zone.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    zone.classList.remove("dropping");
    share(event.dataTransfer.files);
  });
  window.addEventListener("dragover", (event) => hasFiles(event) && event.preventDefault());
  window.addEventListener("drop", (event) => hasFiles(event) && event.preventDefault());
  document.addEventListener("paste", (event) => {
    const files = event.clipboardData ? event.clipboardData.files : [];
    if (!files.length) return;
    event.preventDefault();
    share(files);
  });

  // Read-only rooms (locked, ended, removed) take no files: follow the composer's state.
  const composerText = root.querySelector("#composer-text");
  const apply = () => {
    const closed = composerText && composerText.disabled;
    enabled = state.may_upload && !closed;
    button.disabled = !enabled;
    // The composer's own note says why (locked, ended, not open yet): not repeated here.
    if (closed) note.textContent = "";
    else note.textContent = state.may_upload ? "" : t("files.guests_forbidden");
    hint.hidden = !enabled;
  };
  if (composerText) new MutationObserver(apply).observe(composerText, { attributes: true, attributeFilter: ["disabled"] });
  apply();
  // A moderator changed who may share files: a guest's button follows at once.
  root.addEventListener("room:updated", (event) => {
    const next = event.detail || {};
    if (typeof next.guests_may_upload !== "boolean") return;
    state.guests_may_upload = next.guests_may_upload;
    if (me.guest) state.may_upload = next.guests_may_upload;
    const rule = document.getElementById("files-guests-may-upload");
    if (rule && !rule.disabled) rule.checked = next.guests_may_upload;
    apply();
  });
  // Above the composer: the uploads in progress stay in sight next to where one writes.
  root.querySelector("#composer").before(bar);
}

async function start() {
  try {
    state = await fetchFiles();
  } catch {
    return; // no access (the room page shows why); nothing to add
  }
  registerPanel({ id: "files", label: t("files.tab"), build: buildPanel });
  buildShareBar();
}

start();
