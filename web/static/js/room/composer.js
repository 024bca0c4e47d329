// The message box: Enter sends, Shift+Enter starts a new line; tells the room I am typing (at
// most every 3 s, and "stopped" after a pause); offers @mention completion from known people.
import { t } from "../i18n.js";

const TYPING_EVERY_MS = 3000;
const TYPING_IDLE_MS = 4000;
export const MAX_LENGTH = 4000;

export class Composer {
  constructor(form, { onSend, onTyping, people }) {
    this.form = form;
    this.input = form.querySelector("textarea");
    this.error = form.querySelector(".form-error");
    this.counter = form.querySelector(".composer-count");
    this.suggestions = form.querySelector(".mention-list");
    this.onSend = onSend;
    this.onTyping = onTyping;
    this.people = people; // () => [[person_id, name], ...]
    this.typingSentAt = 0;
    this.idleTimer = null;
    this.choice = -1;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    this.input.addEventListener("keydown", (event) => this.keydown(event));
    this.input.addEventListener("input", () => this.changed());
    this.input.addEventListener("blur", () => setTimeout(() => this.closeSuggestions(), 150));
    this.suggestions.addEventListener("mousedown", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) {
        event.preventDefault();
        this.pick(option);
      }
    });
  }

  keydown(event) {
    if (!this.suggestions.hidden) {
      const options = [...this.suggestions.children];
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        this.highlight((this.choice + step + options.length) % options.length);
        return;
      }
      if ((event.key === "Enter" || event.key === "Tab") && this.choice >= 0) {
        event.preventDefault();
        this.pick(options[this.choice]);
        return;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        this.closeSuggestions();
        return;
      }
    }
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.send();
    }
  }

  changed() {
    this.showError("");
    const length = this.input.value.length;
    this.counter.textContent = length > MAX_LENGTH - 500 ? `${length} / ${MAX_LENGTH}` : "";
    this.suggest();
    const now = Date.now();
    if (this.input.value.trim() && now - this.typingSentAt > TYPING_EVERY_MS) {
      this.typingSentAt = now;
      this.onTyping(true);
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping() {
    clearTimeout(this.idleTimer);
    if (this.typingSentAt) {
      this.typingSentAt = 0;
      this.onTyping(false);
    }
  }

  send() {
    const text = this.input.value.trim();
    if (!text) return;
    if (text.length > MAX_LENGTH) {
      this.showError(t("rooms.error.too_long"));
      return;
    }
    this.closeSuggestions();
    this.stopTyping();
    this.onSend(text);
    this.input.value = "";
    this.counter.textContent = "";
    this.input.focus();
  }

  showError(text) {
    this.error.textContent = text || "";
  }

  setEnabled(enabled, reason) {
    this.input.disabled = !enabled;
    this.form.querySelector("button[type=submit]").disabled = !enabled;
    const note = this.form.querySelector(".composer-closed");
    note.textContent = enabled ? "" : reason || "";
    note.hidden = enabled;
  }

  // @mention completion: the word after the last "@" before the caret.
  mentionQuery() {
    const before = this.input.value.slice(0, this.input.selectionStart);
    const match = /(?:^|\s)@([\p{L}\p{N} .-]{0,30})$/u.exec(before);
    return match ? { query: match[1], start: before.length - match[1].length - 1 } : null;
  }

  suggest() {
    const found = this.mentionQuery();
    if (!found) {
      this.closeSuggestions();
      return;
    }
    const query = found.query.toLocaleLowerCase();
    const matches = this.people()
      .filter(([, name]) => name.toLocaleLowerCase().startsWith(query) || name.toLocaleLowerCase().includes(` ${query}`))
      .slice(0, 6);
    if (!matches.length) {
      this.closeSuggestions();
      return;
    }
    this.suggestions.replaceChildren();
    matches.forEach(([id, name], index) => {
      const option = document.createElement("li");
      option.setAttribute("role", "option");
      option.id = `mention-option-${index}`;
      option.dataset.name = name;
      option.dataset.id = String(id);
      option.textContent = name;
      this.suggestions.append(option);
    });
    this.suggestions.hidden = false;
    this.highlight(0);
  }

  highlight(index) {
    this.choice = index;
    [...this.suggestions.children].forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    this.input.setAttribute("aria-activedescendant", `mention-option-${index}`);
  }

  pick(option) {
    const found = this.mentionQuery();
    if (!found) return;
    const value = this.input.value;
    const caret = this.input.selectionStart;
    const inserted = `@${option.dataset.name} `;
    this.input.value = value.slice(0, found.start) + inserted + value.slice(caret);
    const position = found.start + inserted.length;
    this.input.setSelectionRange(position, position);
    this.closeSuggestions();
    this.input.focus();
  }

  closeSuggestions() {
    this.suggestions.hidden = true;
    this.choice = -1;
    this.input.removeAttribute("aria-activedescendant");
  }
}
