// Edit and delete buttons under a message: my own within the edit window (15 minutes),
// any message for moderators (delete only, as the server allows).
import { t } from "../i18n.js";
import { errorText } from "./connection.js";
import { minutesSince } from "./time.js";
import { MAX_LENGTH } from "./composer.js";

export class MessageActions {
  constructor({ connection, roomId, me, mayModerate, editMinutes, onError, onChanged }) {
    this.connection = connection;
    this.roomId = roomId;
    this.me = me;
    this.mayModerate = mayModerate;
    this.editMinutes = editMinutes;
    this.onError = onError;
    this.onChanged = onChanged; // the ack carries the changed message
    this.readOnly = false;
  }

  decorate(item) {
    const box = item.querySelector(".msg-actions");
    box.replaceChildren();
    const message = item.message;
    if (this.readOnly || message.deleted || message.seq == null) return;
    const mine = message.author === this.me.who;
    const inWindow = mine && minutesSince(message.time) < this.editMinutes;
    if (inWindow && (message.kind || "text") === "text") box.append(this.button(t("rooms.msg.edit"), () => this.edit(item)));
    if (inWindow || this.mayModerate) box.append(this.button(t("rooms.msg.delete"), () => this.remove(item)));
  }

  button(label, action) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "small link-like";
    button.textContent = label;
    button.addEventListener("click", action);
    return button;
  }

  async remove(item) {
    if (!window.confirm(t("rooms.msg.confirm_delete"))) return;
    try {
      const ack = await this.connection.call("delete", { room_id: this.roomId, id: item.message.id });
      if (ack.message) this.onChanged(ack.message);
    } catch (error) {
      this.onError(errorText(error));
    }
  }

  edit(item) {
    const body = item.querySelector(".msg-body");
    if (item.querySelector(".msg-edit")) return;
    const form = document.createElement("form");
    form.className = "msg-edit";
    const label = document.createElement("label");
    label.className = "visually-hidden";
    label.htmlFor = `edit-${item.message.id}`;
    label.textContent = t("rooms.msg.edit_label");
    const input = document.createElement("textarea");
    input.id = `edit-${item.message.id}`;
    input.maxLength = MAX_LENGTH;
    input.value = item.message.text || "";
    input.rows = 2;
    const save = document.createElement("button");
    save.type = "submit";
    save.className = "small primary";
    save.textContent = t("rooms.msg.save");
    const cancel = this.button(t("rooms.msg.cancel"), () => close());
    form.append(label, input, save, cancel);
    body.hidden = true;
    body.after(form);
    input.focus();
    const close = () => {
      form.remove();
      body.hidden = false;
      item.querySelector(".msg-actions button")?.focus();
    };
    const submit = async () => {
      const text = input.value.trim();
      if (!text) return;
      try {
        const ack = await this.connection.call("edit", { room_id: this.roomId, id: item.message.id, text });
        close();
        if (ack.message) this.onChanged(ack.message);
      } catch (error) {
        this.onError(errorText(error));
      }
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close();
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        submit();
      }
    });
  }
}
