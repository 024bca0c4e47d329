// The feedback form: ticked boxes become lists, ticked plans carry their date and text;
// sent as JSON with PUT to /api/v1/feedback/<token>. Errors appear as on every other form.
import { api } from "./api.js";
import { showErrors } from "./forms.js";
import { t } from "./i18n.js";

function bodyOf(form) {
  const body = { outcomes: [], advantages: [], difficulties: [], plans: [] };
  for (const box of form.querySelectorAll("input[data-list]:checked")) body[box.dataset.list].push(box.value);
  for (const box of form.querySelectorAll("input[data-plan]:checked")) {
    const kind = box.dataset.plan;
    const plan = { kind };
    const day = form.querySelector(`[data-plan-date="${kind}"]`);
    if (day && day.value) plan.date = day.value;
    const text = form.querySelector(`[data-plan-text="${kind}"]`);
    if (text) plan.text = text.value;
    body.plans.push(plan);
  }
  body.difficulty_other = form.elements.namedItem("difficulty_other").value;
  body.comment = form.elements.namedItem("comment").value;
  const rating = form.querySelector("input[name=rating]:checked");
  if (rating) body.rating = Number(rating.value);
  body.may_quote = form.elements.namedItem("may_quote").checked;
  const anonymous = form.elements.namedItem("anonymous");
  if (anonymous) body.anonymous = anonymous.checked;
  return body;
}

const form = document.getElementById("feedback-form");
if (form) {
  // A date ticks its plan: nobody types a date for a plan they did not mean.
  form.addEventListener("change", (event) => {
    const kind = event.target.dataset.planDate || event.target.dataset.planText;
    if (kind && event.target.value) form.querySelector(`[data-plan="${kind}"]`).checked = true;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = form.querySelector(".form-status");
    const button = form.querySelector("button[type=submit]");
    form.querySelectorAll(".field-error").forEach((el) => el.remove());
    button.disabled = true;
    status.textContent = t("action.sending");
    try {
      await api(`/api/v1/feedback/${encodeURIComponent(form.dataset.token)}`, { method: "PUT", body: bodyOf(form) });
      status.textContent = form.dataset.done;
      const anonymous = form.elements.namedItem("anonymous");
      if (anonymous && anonymous.checked) window.location.reload();
    } catch (error) {
      status.textContent = "";
      showErrors(form, error);
    } finally {
      button.disabled = false;
    }
  });
}
