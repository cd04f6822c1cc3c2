// Page-wide behaviour, run once when the header loads. `props.kiosk` comes from the server.
const kiosk = props.kiosk === true || props.kiosk === "true";
document.documentElement.lang = document.documentElement.lang || "en";
if (kiosk) {
  document.documentElement.classList.add("bot-kiosk-page");
  // One tested look on a shared screen: always the light palette (contrast checked at 4.5:1).
  const light = () => {
    for (const el of [document.documentElement, document.body]) {
      if (el.classList.contains("dark")) el.classList.remove("dark");
    }
  };
  light();
  const watchClass = new MutationObserver(light);
  watchClass.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  watchClass.observe(document.body, { attributes: true, attributeFilter: ["class"] });
  // No long-press menus ("save image", "open link") on a shared touch screen.
  document.addEventListener("contextmenu", (event) => event.preventDefault());
}

// The screen's own words in the visitor's language (log.js says which, from the last reply:
// `data-lang` on its turn; none, after "New conversation", is English). `props.screen_texts`
// holds every language's words, from bot/locales/*.yaml. Gradio's Send, New conversation and
// question box are found by their elem_id; the header's and More's words carry `data-ui`.
const screenTexts = props.screen_texts || {};
let screenLanguage = "en";

function setWords(el, text, words) {
  if (!el || !text) return;
  el.textContent = text;
  el.lang = words.lang;
  el.dir = words.dir;
}

function showLanguage(code) {
  const words = screenTexts[code] || screenTexts.en;
  if (!words || words.lang === screenLanguage) return;
  screenLanguage = words.lang;
  for (const el of document.querySelectorAll("[data-ui]")) setWords(el, words[el.dataset.ui], words);
  setWords(document.getElementById("bot-send"), words.send, words);
  setWords(document.getElementById("bot-new"), words.start_over, words);
  setWords(document.querySelector('#bot-question [data-testid="block-info"]'), words.question_label, words);
  const box = document.querySelector("#bot-question textarea, #bot-question input");
  if (box) box.placeholder = words.placeholder;
}

document.addEventListener("bot-language", (event) => showLanguage(event.detail));
