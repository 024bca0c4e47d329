// Moves one occurrence of a series: sends OccurrenceInput (wall clock in the meeting's zone).
import { api } from "../api.js";
import { t } from "../i18n.js";
import { addMinutes, clearErrors, showErrors, wallClock } from "./form_support.js";

const form = document.getElementById("occurrence-form");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const status = form.querySelector(".form-status");
  const date = form.elements.start.value;
  const time = form.elements.start_time.value;
  const minutes = Number.parseInt(form.elements.end.value || "90", 10);
  const id = form.dataset.meetingId;
  status.textContent = t("action.sending");
  try {
    await api(`/api/v1/meetings/${id}/occurrences/${form.dataset.original}`, {
      method: "PUT",
      body: {
        start: wallClock(date, time),
        end: addMinutes(date, time, minutes),
        address: form.elements.address.value,
      },
    });
    window.location.assign(`/meetings/${id}`);
  } catch (error) {
    status.textContent = "";
    showErrors(form, error);
  }
});
