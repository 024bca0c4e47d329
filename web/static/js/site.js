import { t } from "./i18n.js";

// Page-wide behaviour: the menu button on narrow screens and the filter boxes above long tables.
// Without JavaScript the menu simply stays open, so every link is always reachable.
const button = document.querySelector(".menu-button");
const nav = document.getElementById("main-nav");

if (button && nav) {
  document.documentElement.classList.add("has-menu-button");
  button.hidden = false;
  const setOpen = (open) => {
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
    // In the phone's menu every link shows at once: folded groups open with it.
    for (const more of nav.querySelectorAll(".nav-more details")) more.open = open;
  };
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && nav.classList.contains("open")) {
      setOpen(false);
      button.focus();
    }
  });
}

// Tables (and lists) with a filter box: <input data-filter="#id"> hides rows that do not match.
for (const input of document.querySelectorAll("input[data-filter]")) {
  const table = document.querySelector(input.dataset.filter);
  const status = document.getElementById(input.dataset.filterStatus || "");
  if (!table) continue;
  input.addEventListener("input", () => {
    const words = input.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    // A table filters its rows; any other container (e.g. the outbox's list) its children.
    const items = table.tBodies ? table.tBodies[0].rows : table.children;
    for (const row of items) {
      const text = row.textContent.toLocaleLowerCase();
      const match = words.every((w) => text.includes(w));
      row.hidden = !match;
      if (match) shown += 1;
    }
    if (status) status.textContent = words.length ? t("filter.shown", { count: shown }) : "";
  });
}

// The folded administration menu closes when one clicks elsewhere or presses Escape.
for (const more of document.querySelectorAll(".nav-more details")) {
  document.addEventListener("click", (event) => {
    const phoneMenu = more.closest(".site-nav.open");
    if (more.open && !phoneMenu && !more.contains(event.target)) more.open = false;
  });
  more.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && more.open) {
      more.open = false;
      more.querySelector("summary").focus();
    }
  });
}
