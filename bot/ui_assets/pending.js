// The turn being written. When a new question starts, bring it to the top so its answer is read
// from the start, and fold the starter questions away (more.js listens for "bot-asked").
let shown = "";
watch("value", () => {
  const turn = element.querySelector(".turn.pending");
  const id = turn ? turn.id : "";
  if (id && id !== shown) {
    document.dispatchEvent(new CustomEvent("bot-asked"));
    turn.scrollIntoView({ block: "start", behavior: "smooth" });
  }
  shown = id;
});
