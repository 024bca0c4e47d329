// The side panel's tabs (Participants, Search, and whatever other features add, e.g. Files).
// A feature adds its tab with registerPanel({id, label, build}); build(panelElement) fills it.
// Keyboard: arrow keys move between tabs, as in any tab list.

let tablist = null;
let container = null;
const waiting = [];

function select(tab, focus = false) {
  for (const other of tablist.querySelectorAll("[role=tab]")) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
  }
  if (focus) tab.focus();
  tab.dispatchEvent(new CustomEvent("panel:shown", { bubbles: true }));
}

function addTab(id, label) {
  const tab = document.createElement("button");
  tab.type = "button";
  tab.setAttribute("role", "tab");
  tab.id = `tab-${id}`;
  tab.setAttribute("aria-controls", `panel-${id}`);
  tab.textContent = label;
  tab.addEventListener("click", () => select(tab));
  tablist.append(tab);
  return tab;
}

export function registerPanel({ id, label, build }) {
  if (!tablist) {
    waiting.push({ id, label, build });
    return;
  }
  const panel = document.createElement("div");
  panel.id = `panel-${id}`;
  panel.className = "panel";
  panel.setAttribute("role", "tabpanel");
  panel.setAttribute("aria-labelledby", `tab-${id}`);
  panel.hidden = true;
  container.append(panel);
  const tab = addTab(id, label);
  tab.tabIndex = -1;
  tab.setAttribute("aria-selected", "false");
  build(panel);
}

// Turns the server-rendered panels (elements with data-panel-label) into tabs.
export function setupPanels(root) {
  tablist = root.querySelector("[role=tablist]");
  container = root.querySelector(".panels");
  const panels = [...container.querySelectorAll("[data-panel-label]")];
  panels.forEach((panel) => {
    const id = panel.id.replace(/^panel-/, "");
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", `tab-${id}`);
    addTab(id, panel.dataset.panelLabel);
  });
  tablist.addEventListener("keydown", (event) => {
    const tabs = [...tablist.querySelectorAll("[role=tab]")];
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    let next = null;
    if (event.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
    else if (event.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
    else if (event.key === "Home") next = tabs[0];
    else if (event.key === "End") next = tabs[tabs.length - 1];
    if (next) {
      event.preventDefault();
      select(next, true);
    }
  });
  select(tablist.querySelector("[role=tab]"));
  for (const item of waiting.splice(0)) registerPanel(item);
}
