// Kiosk idle reset (WCAG 2.2.1): after `idle_seconds` without a touch or key, warn for
// `warning_seconds` (at least 20 s) with a one-tap "I'm still here"; then wipe the conversation
// and reload the page.
const idleMs = Number(props.idle_seconds) * 1000;
const warningMs = Number(props.warning_seconds) * 1000;
const backdrop = element.querySelector(".idle-backdrop");
const stay = element.querySelector(".idle-stay");
const clear = element.querySelector(".idle-clear");
const count = element.querySelector(".idle-count");
let idleTimer = null;
let tick = null;
let deadline = 0;
let returnFocus = null;

const warning = () => !backdrop.hidden;

function hasSomethingToWipe() {
  if (document.querySelector("#bot-conversation .turn")) return true;
  return [...document.querySelectorAll("#bot-question textarea, #bot-question input")].some((t) => t.value.trim());
}

function arm() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(warn, idleMs);
}

function warn() {
  if (!hasSomethingToWipe()) {
    arm();
    return;
  }
  returnFocus = document.activeElement;
  deadline = Date.now() + warningMs;
  update();
  backdrop.hidden = false;
  stay.focus();
  tick = setInterval(update, 250);
}

function update() {
  const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  if (count.textContent !== String(left)) count.textContent = String(left);
  if (left <= 0) wipe();
}

function close() {
  clearInterval(tick);
  backdrop.hidden = true;
  arm();
}

function wipe() {
  close();
  if ("speechSynthesis" in window) window.speechSynthesis.cancel();
  for (const box of document.querySelectorAll("#bot-question textarea, #bot-question input")) {
    box.value = "";
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  window.scrollTo({ top: 0 });
  trigger("submit"); // the server clears this session's conversation at once...
  // ...then a fresh page: a new session, and nothing left in this one's memory (not even the
  // question box's undo history). Gradio drops the old session's state when the page goes.
  setTimeout(() => window.location.reload(), 800);
}

stay.addEventListener("click", () => {
  close();
  if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
});
clear.addEventListener("click", wipe);

// Keep keyboard focus inside the warning while it is shown.
backdrop.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    event.preventDefault();
    stay.click();
  } else if (event.key === "Tab") {
    event.preventDefault();
    (document.activeElement === stay ? clear : stay).focus();
  }
});

for (const type of ["pointerdown", "keydown", "input", "wheel", "touchstart"]) {
  document.addEventListener(type, () => warning() || arm(), { capture: true, passive: true });
}
arm();
