// The note box's counter: how much of its limit is left, as the patient types. The words come
// from the page (data-left, data-over: translated there); "{n}" is the number. Without script
// the help text gives the limit and the server refuses a longer note with a message.
"use strict";
document.querySelectorAll("textarea[data-limit]").forEach((box) => {
  const counter = document.getElementById(`${box.id}_counter`);
  if (!counter) return;
  const limit = Number(box.dataset.limit);
  const language = document.documentElement.lang || undefined;
  const show = () => {
    const left = limit - [...box.value].length; // characters, as the server counts them
    const words = left >= 0 ? counter.dataset.left : counter.dataset.over;
    counter.textContent = words.replace("{n}", Math.abs(left).toLocaleString(language));
    counter.classList.toggle("error", left < 0);
    // Read out only near the limit, not at every key.
    if (left <= 200) counter.setAttribute("aria-live", "polite");
    else counter.removeAttribute("aria-live");
  };
  box.setAttribute("aria-describedby",
    `${box.getAttribute("aria-describedby") || ""} ${counter.id}`.trim());
  counter.hidden = false;
  show();
  box.addEventListener("input", show);
});
