// The subscribe box: copy a feed's secret address with one click.
import { t } from "../i18n.js";

async function copy(button) {
  const input = document.getElementById(button.dataset.copy);
  const status = button.closest(".cal-address")?.querySelector(".cal-copy-status");
  if (!input) return;
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    if (status) status.textContent = t("calendar.subscribe.copied");
  } catch {
    // Old browsers or no permission: the address is selected, so Ctrl+C still works.
    if (status) status.textContent = t("calendar.subscribe.copy_failed");
  }
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (button) copy(button);
});
