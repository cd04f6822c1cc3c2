// The finished turns: tap-to-define, read aloud, take home, suggested questions, source links.
// The server re-renders this HTML once per answer; handlers are delegated to the root, which stays.
const speech = "speechSynthesis" in window ? window.speechSynthesis : null;
let speaking = null; // the "Read aloud" button whose answer is being read
let turns = element.querySelectorAll(".turn").length;
if (!speech) element.classList.add("no-speech");

function stopSpeaking() {
  if (speech) speech.cancel();
  if (speaking) {
    speaking.setAttribute("aria-pressed", "false");
    speaking.textContent = "Read aloud";
  }
  speaking = null;
}

function speak(button) {
  const answer = element.querySelector("#" + CSS.escape(button.dataset.for || ""));
  const again = speaking === button;
  stopSpeaking();
  if (!speech || !answer || again) return;
  const parts = [...answer.querySelectorAll(".body, .suggestions, .notice")].map((n) => n.innerText);
  // The browser's own voice: nothing leaves the machine. "[1]" markers are not read out.
  const utterance = new SpeechSynthesisUtterance(parts.join(" ").replace(/\[\d+\]/g, ""));
  // A reply in the visitor's language is read in that language's voice (its turn's data-lang).
  const turn = answer.closest("[data-lang]");
  utterance.lang = (turn && turn.dataset.lang) || "en";
  utterance.rate = 0.95;
  utterance.onend = utterance.onerror = () => {
    if (speaking === button) stopSpeaking();
  };
  speaking = button;
  button.setAttribute("aria-pressed", "true");
  button.textContent = "Stop reading";
  speech.speak(utterance);
}

// A definition or the "Take home" QR panel: the button says whether its panel is open.
function togglePanel(button) {
  const box = element.querySelector("#" + CSS.escape(button.getAttribute("aria-controls") || ""));
  if (!box) return;
  const open = button.getAttribute("aria-expanded") === "true";
  button.setAttribute("aria-expanded", String(!open));
  box.hidden = open;
}

element.addEventListener("click", (event) => {
  const link = event.target.closest("a.cite");
  if (link && element.contains(link)) {
    // Jump to the source card without touching the address bar; focus it for keyboard users.
    event.preventDefault();
    const card = element.querySelector(link.getAttribute("href"));
    if (card) {
      card.setAttribute("tabindex", "-1");
      card.scrollIntoView({ block: "center", behavior: "smooth" });
      card.focus({ preventScroll: true });
    }
    return;
  }
  const button = event.target.closest("button");
  if (!button || !element.contains(button)) return;
  if (button.classList.contains("term") || button.classList.contains("take-home")) togglePanel(button);
  else if (button.classList.contains("speak")) speak(button);
  else if (button.classList.contains("ask")) {
    stopSpeaking();
    // Gradio's select event, with the question as its value (gr.SelectData.value on the server).
    trigger("select", { index: 0, value: button.dataset.question || "" });
  }
});

watch("value", () => {
  // The turn being written lives in #bot-pending (pending.js brings it into view); its final
  // answer replaces it here, in the same place.
  const now = element.querySelectorAll(".turn");
  if (now.length !== turns) stopSpeaking();
  if (now.length === 0 && turns > 0) window.scrollTo({ top: 0 });
  turns = now.length;
  // The screen's words follow the language of the last reply (page.js); a cleared conversation is English.
  const last = now.length ? now[now.length - 1] : null;
  document.dispatchEvent(new CustomEvent("bot-language", { detail: (last && last.dataset.lang) || "en" }));
});
