// "More questions": once a conversation has started the starter questions fold away (CSS, on
// `.bot-started`), so the conversation keeps the screen; this button brings them back.
const composer = document.getElementById("bot-composer");
const button = element.querySelector("#bot-more-toggle");

function setOpen(open) {
  button.setAttribute("aria-expanded", String(open));
  composer.classList.toggle("bot-unfolded", open);
}

button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
document.addEventListener("bot-asked", () => setOpen(false));
