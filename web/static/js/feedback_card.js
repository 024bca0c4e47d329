// The room's feedback card: "Dismiss" hides it, and it stays hidden for that date in this
// browser (the emailed link and the one reminder still reach the person).
const card = document.getElementById("feedback-card");
if (card) {
  const key = `mh-feedback-dismissed:${card.dataset.key}`;
  try {
    if (window.localStorage.getItem(key)) card.hidden = true;
  } catch {
    /* storage may be off: the card simply shows */
  }
  card.querySelector(".feedback-dismiss").addEventListener("click", () => {
    card.hidden = true;
    try {
      window.localStorage.setItem(key, "1");
    } catch {
      /* nothing to remember then */
    }
  });
}
