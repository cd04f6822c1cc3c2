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
