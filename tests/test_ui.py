"""The chat UI in a real browser: Debian's Chromium, driven by Playwright, against the real app.

One home app and one kiosk app run as subprocesses, shared by the browser tests of this file
(each builds its own index on first use, in a temporary folder). The kiosk (1080 × 1920) and phone
(390 × 844) tests also measure what the issues ask for (the conversation's share of the screen,
text size, touch targets, contrast, time to the first streamed words), print it, and keep
screenshots in ``tests/screenshots/`` (ignored by git). ``python -m tests.screenshots`` refreshes
the ones in ``docs/``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import replies
from bot.types import Answer, Citation
from bot.ui_html import Turn

# Not resolved: the app runs from the checkout this file is in.
REPO = Path(__file__).absolute().parents[1]
CHROMIUM = "/usr/bin/chromium"
AXE = REPO / "tests" / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
#: The tests' own screenshots (ignored by git); `python -m tests.screenshots` refreshes docs/*.png.
SHOTS = REPO / "tests" / "screenshots"
PHONE = {"width": 390, "height": 844}
KIOSK = {"width": 1080, "height": 1920}  # a portrait kiosk screen, as in most clinic waiting rooms
IDLE_SECONDS = 4  # the kiosk under test warns after 4 s without a touch...
WARNING_SECONDS = 20  # ...and wipes 20 s later (the WCAG 2.2.1 minimum the settings enforce)
ANSWER_TIMEOUT_MS = 90_000

FIRST_QUESTION = "Is CAR-NK better than CAR-T?"
FINAL_ANSWER = "#bot-conversation .turn:not(.pending) .answer"
QUESTION_BOX = "#bot-question textarea, #bot-question input"


# -- the app processes ----------------------------------------------------------------------
class AppProcess:
    """``python app.py`` on 127.0.0.1, with its output kept for failure messages."""

    def __init__(self, name: str, port: int, data_dir: Path, *args: str, repo: Path = REPO, **env: str) -> None:
        self.name, self.url = name, f"http://127.0.0.1:{port}"
        environ = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "GRADIO_ANALYTICS_ENABLED": "False",
            "GRADIO_SERVER_NAME": "127.0.0.1",
            "GRADIO_SERVER_PORT": str(port),
            "BOT_DATA_DIR": str(data_dir),
            "BOT_CORPUS_DIR": "corpus",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(repo),
            **env,
        }
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.proc = subprocess.Popen(
            [sys.executable, "app.py", *args],
            cwd=repo,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())
            if line.startswith("Ready:"):  # printed once the model, index and glossary are loaded
                self.ready.set()

    def wait_ready(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready.wait(1):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{self.name} app did not start:\n" + self.log())

    def log(self) -> str:
        return "\n".join(self.lines[-60:])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def free_ports(count: int) -> list[int]:
    """Ports the system has free right now (other test runs may share this machine)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.fixture(scope="module")  # stopped as soon as this file's tests are done
def apps(tmp_path_factory) -> Iterator[dict[str, AppProcess]]:
    home_port, kiosk_port = free_ports(2)
    started = {
        "home": AppProcess("home", home_port, tmp_path_factory.mktemp("ui-home")),
        "kiosk": AppProcess(
            "kiosk",
            kiosk_port,
            tmp_path_factory.mktemp("ui-kiosk"),
            "--kiosk",
            BOT_IDLE_SECONDS=str(IDLE_SECONDS),
            BOT_IDLE_WARNING_SECONDS=str(WARNING_SECONDS),
        ),
    }
    try:
        for app in started.values():
            app.wait_ready()
        yield started
    finally:
        for app in started.values():
            app.stop()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Chromium is missing: run scripts/system-deps.sh"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


def open_page(browser, url: str, **context: object):
    page = browser.new_context(**context).new_page()
    page.goto(url)
    page.wait_for_selector("#bot-conversation .bot-log")
    return page


def ask(page, question: str, *, turn: int = 1) -> None:
    """Type a question, press Send, and wait for the final answer of that turn."""
    page.fill(QUESTION_BOX, question)
    page.click("#bot-send")
    wait_answer(page, turn)


def wait_answer(page, turn: int) -> None:
    page.wait_for_selector(f"#bot-conversation #turn-{turn}:not(.pending) .answer", timeout=ANSWER_TIMEOUT_MS)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


# -- home ------------------------------------------------------------------------------------
@pytest.mark.browser
def test_answer_shows_sources_and_notice(apps, browser):
    page = open_page(browser, apps["home"].url)
    assert replies.NOTICE in page.inner_text("#bot-header")  # the notice is on screen from the start
    ask(page, FIRST_QUESTION)
    answer = page.locator(FINAL_ANSWER).first
    assert "answered" in (answer.get_attribute("class") or "")
    assert replies.NOTICE in answer.inner_text()  # ...and in the reply
    assert page.locator("#bot-header .notice-banner").is_visible()

    cards = answer.locator(".sources li.source")
    assert cards.count() >= 1
    for i in range(cards.count()):
        card = cards.nth(i)
        assert card.locator("cite").inner_text().strip()  # document title
        assert card.locator(".source-section").inner_text().startswith("Section: ")
        assert card.locator(".passage mark").count() >= 1  # the quoted sentence, highlighted
    # Every [n] marker links to a card that exists, and the card quotes a sentence of the answer.
    body = answer.locator(".body").inner_text()
    links = answer.locator(".body a.cite")
    assert links.count() >= 1
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href")
        assert target and page.locator(target).count() == 1
        quoted = page.locator(f"{target} .passage mark").first.inner_text()
        assert quoted.split()[0] in body
    # The study behind a passage, with its link, where the passage cites one.
    assert answer.locator(".studies li").count() >= 1
    assert answer.locator(".source-link a.url[href^='https://']").count() >= 1

    # Take home: a QR code of the links, made on the server as an inline SVG.
    page.click(".answer button.take-home")
    qr = answer.locator(".take-home-body img.qr")
    assert qr.is_visible() and (qr.get_attribute("src") or "").startswith("data:image/svg+xml")
    # Read aloud hands the answer and the notice, without "[n]", to the browser's own speech
    # synthesis (headless Chromium has no voices, so the call is recorded, then passed on).
    page.evaluate(
        """() => { window.__spoken = []; const speak = speechSynthesis.speak.bind(speechSynthesis);
        speechSynthesis.speak = u => { window.__spoken.push([u.text, u.lang]); speak(u); }; }"""
    )
    page.click(".answer button.speak")
    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 1 and replies.NOTICE in spoken[0][0] and "[1]" not in spoken[0][0]
    assert body.replace("[1]", "").split()[0] in spoken[0][0]
    assert spoken[0][1] == "en"

    # New conversation wipes it, on screen and on the server (the next answer stands alone).
    page.click("#bot-new")
    page.wait_for_selector("#bot-conversation .empty")
    page.click("#bot-starters button >> nth=1")  # a starter question
    wait_answer(page, 1)
    assert page.locator("#bot-conversation .turn").count() == 1
    page.context.close()


@pytest.mark.browser
def test_markup_in_a_question_is_shown_as_text_and_runs_nothing(apps, browser):
    page = open_page(browser, apps["home"].url)
    attack = (
        '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
        "<b onmouseover=window.__pwned=3>What is CRS?</b>"
    )
    page.fill(QUESTION_BOX, attack)
    page.press(QUESTION_BOX, "Enter")  # Enter sends, as on a kiosk's on-screen keyboard
    wait_answer(page, 1)
    assert page.inner_text("#bot-conversation .turn .asked") == attack  # shown exactly as typed
    page.hover("#bot-conversation .turn .asked")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#bot-conversation img:not(.qr), #bot-conversation script, #bot-conversation b").count() == 0
    page.context.close()


@pytest.mark.browser
def test_suggestions_after_a_refusal_ask_that_question(apps, browser):
    page = open_page(browser, apps["home"].url)
    ask(page, "What is the capital of France?")
    refusal = page.locator(FINAL_ANSWER).first
    assert "refused" in (refusal.get_attribute("class") or "")
    assert replies.NOTICE in refusal.inner_text()
    suggestion = refusal.locator(".suggestions button.ask").first
    question = suggestion.inner_text()
    suggestion.click()
    wait_answer(page, 2)
    assert page.inner_text("#turn-2 .asked") == question
    page.context.close()


@pytest.mark.browser
def test_an_emergency_reply_is_urgent(apps, browser):
    page = open_page(browser, apps["home"].url)
    ask(page, "My dad has a high fever and is confused after his CAR-T infusion, what do we do?")
    reply = page.locator(FINAL_ANSWER).first
    assert "urgent" in (reply.get_attribute("class") or "") and reply.get_attribute("role") == "alert"
    assert "Urgent" in reply.locator(".urgent-label").inner_text()
    assert replies.NOTICE in reply.inner_text()
    style = reply.evaluate("el => [getComputedStyle(el).borderTopWidth, getComputedStyle(el).backgroundColor]")
    assert float(style[0].rstrip("px")) >= 3 and style[1] != "rgba(0, 0, 0, 0)"
    page.context.close()


@pytest.mark.browser
def test_tap_to_define_cites_the_article(apps, browser):
    page = open_page(browser, apps["home"].url)
    ask(page, "Why does CAR-T cause GvHD or ICANS?")
    term = page.locator("#bot-conversation .answer button.term").first
    assert term.count() == 1, page.inner_text("#bot-conversation")
    box = page.locator(f"#{term.get_attribute('aria-controls')}")
    assert box.is_hidden()
    term.click()
    assert box.is_visible() and term.get_attribute("aria-expanded") == "true"
    text = box.inner_text()
    assert " means " in text and "From " in text and "section" in text
    assert box.locator(".passage mark").count() == 1  # "long form (ABBR)" in the article's sentence
    page.context.close()


@pytest.mark.browser
def test_two_visitors_never_see_each_other(apps, browser):
    first = open_page(browser, apps["home"].url)
    second = open_page(browser, apps["home"].url)
    questions = {first: "What does off-the-shelf mean?", second: "What is ICANS?"}
    for page, question in questions.items():  # both sent before either answer arrives
        page.fill(QUESTION_BOX, question)
    for page in questions:
        page.click("#bot-send")
    for page in questions:
        wait_answer(page, 1)
    for page, question in questions.items():
        other = questions[second if page is first else first]
        text = page.inner_text("#bot-conversation")
        assert question in text and other not in text
        assert page.locator("#bot-conversation .turn").count() == 1
    # A new visitor, or the same tab reloaded, starts empty: nothing is kept in the browser.
    first.reload()
    first.wait_for_selector("#bot-conversation .empty")
    for page in questions:
        page.context.close()


# -- kiosk -----------------------------------------------------------------------------------
@pytest.mark.browser
def test_kiosk_exposes_no_api_or_run_history(apps, browser):
    kiosk, home = apps["kiosk"].url, apps["home"].url
    for path in ("/gradio_api/runs", "/gradio_api/info", "/gradio_api/openapi.json", "/?view=api", "/monitoring"):
        status, _ = get(kiosk + path)
        assert status == 404, path
    assert get(home + "/gradio_api/runs")[0] == 404  # run history is off at home too
    status, info = get(home + "/gradio_api/info")
    # At home the only public endpoint is the API's `ask` (bot/http_api.py): the chat's events stay private.
    assert status == 200 and list(json.loads(info)["named_endpoints"]) == ["/ask"]

    page = open_page(browser, kiosk)
    assert page.locator("footer").count() == 0 or not page.locator("footer").first.is_visible()
    assert page.get_by_text("Use via API").count() == 0 and page.get_by_text("Settings").count() == 0
    ask(page, "What does off-the-shelf mean?")
    # Nothing about the visit is kept in the browser either.
    stored = page.evaluate(
        "() => ({local: Object.keys(localStorage), session: Object.keys(sessionStorage), cookies: document.cookie})"
    )
    assert stored == {"local": [], "session": [], "cookies": ""}, stored
    # A kiosk does not send visitors off to other sites: links are shown as text, taken home by QR.
    assert page.locator("#bot-conversation a[href^='http']").count() == 0
    page.context.close()


@pytest.mark.browser
def test_kiosk_idle_warning_then_reset(apps, browser):
    page = open_page(browser, apps["kiosk"].url)
    ask(page, FIRST_QUESTION)
    dialog = page.locator("#bot-idle [role=alertdialog]")
    dialog.wait_for(state="visible", timeout=(IDLE_SECONDS + 5) * 1000)
    assert "still there" in dialog.inner_text()
    assert int(page.inner_text("#bot-idle .idle-count")) >= WARNING_SECONDS - 1
    assert page.evaluate("document.activeElement.className") == "idle-stay"  # one tap, already focused
    violations = axe(page)
    assert not violations, json.dumps(violations, indent=1)

    page.click("#bot-idle .idle-stay")  # "I'm still here": the conversation stays
    assert dialog.is_hidden()
    assert page.locator("#bot-conversation .turn").count() == 1

    dialog.wait_for(state="visible", timeout=(IDLE_SECONDS + 5) * 1000)  # no tap this time
    shown = time.monotonic()
    with page.expect_navigation(timeout=(WARNING_SECONDS + 15) * 1000):  # wiped, then a fresh page
        page.wait_for_selector("#bot-conversation .turn", state="detached", timeout=(WARNING_SECONDS + 10) * 1000)
        lasted = time.monotonic() - shown
    page.wait_for_selector("#bot-conversation .empty")
    print(f"\nkiosk idle warning lasted {lasted:.1f} s before the wipe")
    assert lasted >= WARNING_SECONDS - 1
    assert dialog.is_hidden() and page.input_value(QUESTION_BOX) == ""
    # The next answer is the first of a new conversation.
    ask(page, "What does off-the-shelf mean?")
    assert page.locator("#bot-conversation .turn").count() == 1
    page.context.close()


@pytest.mark.browser
def test_kiosk_accessibility_measurements_and_screenshot(apps, browser):
    page = open_page(browser, apps["kiosk"].url, viewport=KIOSK)
    violations = axe(page)
    assert not violations, json.dumps(violations, indent=1)
    assert page.locator("#bot-more").is_visible()  # starter questions on an empty screen...

    first_words_ms = timed_ask(page, FIRST_QUESTION, 1)
    still_here(page)
    assert_folded_then_unfolded(page)  # ...folded away once the conversation starts
    still_here(page)
    page.click("#bot-more-toggle")  # and folded again
    assert page.locator("#bot-more").is_hidden()
    still_here(page)
    page.click(".answer button.take-home")
    page.wait_for_timeout(600)  # let the smooth scroll settle

    violations = axe(page)
    assert not violations, json.dumps(violations, indent=1)
    page.evaluate("document.querySelector('#turn-1').scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    figures = page.evaluate(MEASURE_JS)
    figures["first_words_ms"] = first_words_ms
    assert figures["min_text_px"] >= 20, figures["smallest_text"]
    assert figures["min_target_px"] >= 44, figures["smallest_target"]
    assert figures["min_contrast"] >= 4.5, figures["lowest_contrast"]
    assert figures["conversation_share"] >= 0.5, figures

    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "kiosk.png"))

    still_here(page)
    figures["next_first_words_ms"] = timed_ask(page, "What does off-the-shelf mean?", 2)
    figures["screenshot"] = str(SHOTS / "kiosk.png")
    print("\nkiosk figures: " + json.dumps(figures, indent=1))
    page.context.close()


# -- phone -----------------------------------------------------------------------------------
@pytest.mark.browser
def test_phone_gives_the_conversation_the_screen(apps, browser):
    page = open_page(browser, apps["home"].url, viewport=PHONE, is_mobile=True, has_touch=True)
    violations = axe(page)
    assert not violations, json.dumps(violations, indent=1)
    assert page.locator("#bot-more").is_visible() and page.locator("#bot-header h1").is_visible()

    ask(page, FIRST_QUESTION)
    page.evaluate("document.querySelector('#turn-1').scrollIntoView({block: 'start'})")
    page.wait_for_timeout(400)
    figures = page.evaluate(MEASURE_JS)
    # At least half of a 390 × 844 screen for the conversation (it was 167 px before the fold).
    assert figures["conversation_share"] >= 0.5, figures
    # The top is one line: the short notice beside "New conversation"; the full notice ends the reply.
    assert figures["top_px"] <= 72, figures
    short = page.locator("#bot-header .notice-short")
    assert short.is_visible() and short.evaluate("p => p.getBoundingClientRect().height") < 44
    assert replies.NOTICE in page.locator(FINAL_ANSWER).first.inner_text()
    assert_composer_is_one_row(page)
    assert figures["body_text_px"] >= 16, figures
    assert figures["min_text_px"] >= 16, figures["smallest_text"]
    assert figures["min_target_px"] >= 44, figures["smallest_target"]
    assert figures["min_contrast"] >= 4.5, figures["lowest_contrast"]
    assert_no_violations_at_the_end(page)

    assert_folded_then_unfolded(page)
    assert_no_violations_at_the_end(page)  # unfolded too
    page.click("#bot-starters button >> nth=1")  # a starter question, asked from the unfolded list
    wait_answer(page, 2)
    assert page.locator("#bot-more").is_hidden()  # asking folds them away again
    assert page.get_attribute("#bot-more-toggle", "aria-expanded") == "false"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "phone.png"))
    print("\nphone figures: " + json.dumps(figures, indent=1))
    page.context.close()


# -- the screen in the visitor's language -----------------------------------------------------
SPANISH_QUESTION = "¿Cuánto tiempo dura el tratamiento?"
ARABIC_QUESTION = "ما هو العلاج بالخلايا المناعية؟"

SCREEN_WORDS_JS = """() => {
  const text = s => { const el = document.querySelector(s); return el ? el.textContent.trim() : null; };
  const box = document.querySelector('#bot-question textarea, #bot-question input');
  const send = document.querySelector('#bot-send');
  return {
    send: text('#bot-send'), start_over: text('#bot-new'), placeholder: box.placeholder,
    question_label: text('#bot-question [data-testid="block-info"]'),
    more_questions: text('#bot-more-toggle .more-long'), more: text('#bot-more-toggle .more-short'),
    please_note: text('.notice-banner [data-ui=please_note]'),
    notice: text('.notice-banner [data-ui=notice]'), not_advice: text('.notice-short'),
    lang: send.lang || 'en', dir: getComputedStyle(send).direction,
  };
}"""


def screen_words(code: str) -> dict[str, str]:
    """What the screen should say in ``code`` (from ``bot/locales/<code>.yaml``)."""
    from bot import i18n

    texts = i18n.texts(code)
    return {**vars(texts.ui), "notice": texts.notice, "lang": code, "dir": "rtl" if code == "ar" else "ltr"}


def wait_words(page, code: str) -> dict[str, str]:
    """The screen's words once Send reads as in ``code`` (they all change together), checked in full."""
    reads = "send => document.querySelector('#bot-send').textContent.trim() === send"
    page.wait_for_function(reads, arg=screen_words(code)["send"])
    words = page.evaluate(SCREEN_WORDS_JS)
    assert words == screen_words(code), code
    return words


@pytest.mark.browser
def test_screen_words_follow_the_visitors_language_on_a_phone(apps, browser):
    page = open_page(browser, apps["home"].url, viewport=PHONE, is_mobile=True, has_touch=True)
    wait_words(page, "en")
    ask(page, SPANISH_QUESTION)
    assert page.get_attribute("#turn-1", "data-lang") == "es"
    wait_words(page, "es")
    # Read aloud speaks the reply in the visitor's language's voice.
    page.evaluate("() => { window.__lang = []; speechSynthesis.speak = u => window.__lang.push(u.lang); }")
    page.click("#turn-1 button.speak")
    assert page.evaluate("window.__lang") == ["es"]
    more = page.get_by_role("button", name=screen_words("es")["more_questions"])
    assert more.count() == 1 and more.is_visible()  # its accessible name, "Más" on a phone
    # Still one row, 16 px text and 44 px targets with the longer words; no axe violation.
    assert_composer_is_one_row(page)
    figures = page.evaluate(MEASURE_JS)
    assert figures["min_text_px"] >= 16, figures["smallest_text"]
    assert figures["min_target_px"] >= 44, figures["smallest_target"]
    assert_no_violations_at_the_end(page)

    ask(page, "What does off-the-shelf mean?", turn=2)  # English again: the screen follows
    wait_words(page, "en")

    ask(page, ARABIC_QUESTION, turn=3)  # right to left: the words, the question and the reply
    wait_words(page, "ar")
    direction = "el => getComputedStyle(el).direction"
    assert page.locator("#turn-3 .asked").evaluate(direction) == "rtl"
    assert page.locator("#turn-3 .body p").first.evaluate(direction) == "rtl"
    assert page.locator("#turn-2 .body p").first.evaluate(direction) == "ltr"
    page.fill(QUESTION_BOX, ARABIC_QUESTION)
    assert page.locator("#bot-question textarea").evaluate("el => getComputedStyle(el).unicodeBidi") == "plaintext"
    assert_no_violations_at_the_end(page)

    page.click("#bot-new")  # a new conversation starts in English
    page.wait_for_selector("#bot-conversation .empty")
    wait_words(page, "en")
    page.context.close()


@pytest.mark.browser
def test_screen_words_follow_the_visitors_language_on_a_kiosk(apps, browser):
    page = open_page(browser, apps["kiosk"].url, viewport=KIOSK)
    ask(page, SPANISH_QUESTION)
    still_here(page)
    wait_words(page, "es")
    figures = page.evaluate(MEASURE_JS)
    assert figures["min_text_px"] >= 20, figures["smallest_text"]
    assert figures["min_target_px"] >= 44, figures["smallest_target"]
    still_here(page)
    violations = axe(page)
    assert not violations, json.dumps(violations, indent=1)
    still_here(page)
    page.click("#bot-new")  # the next visitor finds the kiosk in English
    page.wait_for_selector("#bot-conversation .empty")
    wait_words(page, "en")
    page.context.close()


def still_here(page) -> None:
    """Tap "I'm still here" if the kiosk's idle warning is up: the kiosk under test warns after
    IDLE_SECONDS (4 s, for the idle test), and on a busy machine an answer can take longer."""
    stay = page.locator("#bot-idle .idle-stay")
    if stay.is_visible():
        stay.click()


def assert_folded_then_unfolded(page) -> None:
    """Starter questions are folded away once a conversation has started; "More questions" brings them back."""
    toggle = page.locator("#bot-more-toggle")
    assert page.locator("#bot-more").is_hidden()
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert "More questions" in toggle.evaluate("b => b.textContent")  # its accessible name, "More" on a phone
    toggle.click()
    assert page.locator("#bot-more").is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#bot-starters button").count() >= 1


def timed_ask(page, question: str, turn: int) -> float:
    """Ask, and return the milliseconds from pressing Send to the first words of the answer."""
    page.evaluate(
        """turn => {
        window.__timing = {};
        document.querySelector('#bot-send').addEventListener(
            'click', () => { window.__timing.sent = performance.now(); }, {capture: true, once: true});
        const seen = new MutationObserver(() => {
            const body = document.querySelector(`#turn-${turn} .answer .body`);
            if (body && body.innerText.trim()) { window.__timing.first = performance.now(); seen.disconnect(); }
        });
        const watched = {subtree: true, childList: true, characterData: true};
        seen.observe(document.querySelector('#bot-conversation'), watched);
        }""",
        turn,
    )
    ask(page, question, turn=turn)
    timing = page.evaluate("window.__timing")
    return round(timing["first"] - timing["sent"])


def assert_composer_is_one_row(page) -> None:
    """The question box, Send and "More" share one line."""
    row = [page.locator(s).bounding_box() for s in ("#bot-question textarea", "#bot-send", "#bot-more-toggle")]
    assert max(b["y"] for b in row) - min(b["y"] for b in row) < 24, row


def assert_no_violations_at_the_end(page) -> None:
    """axe at the end of the page, where the sticky composer covers nothing (mid-scroll, a button
    half under it counts as a partly obscured target)."""
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(300)
    violations = axe(page)
    assert not violations, json.dumps(violations, indent=1)


def axe(page) -> list[dict]:
    """axe-core's violations for the WCAG 2.0/2.1/2.2 A and AA rules, in short form."""
    assert AXE.exists(), "axe-core is missing: run scripts/system-deps.sh"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [{"target": n["target"], "summary": n.get("failureSummary", "")} for n in v["nodes"][:5]],
        }
        for v in result["violations"]
    ]


MEASURE_JS = (REPO / "tests" / "ui_measure.js").read_text(encoding="utf-8")


# -- rendering, without a browser -------------------------------------------------------------
class _Tags(__import__("html.parser").parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(markup)
    return parser.tags


SAFE_TAGS = {
    "div",
    "p",
    "section",
    "article",
    "h2",
    "h3",
    "span",
    "a",
    "button",
    "ul",
    "ol",
    "li",
    "cite",
    "blockquote",
}
SAFE_TAGS |= {"mark", "strong", "br", "img"}
HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>" onclick="alert(3)'


def hostile_answer() -> Answer:
    citation = Citation(
        n=1,
        doc_id="d",
        title=f"Title {HOSTILE}",
        section=f"Section {HOSTILE}",
        url="javascript:alert(4)",
        text=f"Before. Quoted {HOSTILE} sentence. After.",
        score=0.9,
        quotes=[f"Quoted {HOSTILE} sentence."],
        references=[{"n": 2, "citation": f"Study {HOSTILE}", "url": "javascript:alert(5)", "doi": '10.1/x"><b>'}],
    )
    return Answer(
        body=f"Answer {HOSTILE} [1] and [7].", citations=[citation], suggestions=[f"Ask {HOSTILE}"], refused=True
    )


@pytest.mark.unit
def test_every_text_is_escaped_and_only_web_links_are_links():
    from bot.ui_html import Definition, Pending, render_conversation

    glossary = {"CRS": Definition("CRS", f"long {HOSTILE}", f"S {HOSTILE} (CRS).", HOSTILE, HOSTILE, "javascript:x")}
    answer = hostile_answer()
    answer.body += " Risk of CRS."
    markup = render_conversation([Turn(HOSTILE, answer)], Pending(HOSTILE, f"{HOSTILE} [1]"), glossary)
    for tag, attrs in tags_of(markup):
        assert tag in SAFE_TAGS, tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        href = attrs.get("href") or ""
        assert href == "" or href.startswith(("#", "https://", "http://")), href
        if tag == "img":
            assert (attrs.get("src") or "").startswith("data:image/svg+xml")
    assert "javascript:" not in markup
    assert markup.count("&lt;script&gt;") >= 8  # question, draft, body, title, section, passage, study, suggestion


@pytest.mark.unit
def test_a_turn_carries_its_language_and_text_shows_in_its_own_direction():
    from bot.ui_html import render_turn

    answer = Answer(body="مرحبا\n\nHello [1].", refused=True, triage="unsupported_language", language="ar")
    markup = render_turn(1, "ما هو؟", answer, {})
    tags = tags_of(markup)
    assert ("article", {"class": "turn", "id": "turn-1", "aria-labelledby": "q-1", "data-lang": "ar"}) in tags
    assert [a.get("dir") for t, a in tags if t == "p" and "notice" not in (a.get("class") or "")][-2:] == ["auto"] * 2
    assert any(a.get("class") == "asked" and a.get("dir") == "auto" for _, a in tags)


@pytest.mark.unit
def test_markers_link_to_their_cards_and_quotes_are_highlighted():
    from bot.ui_html import render_answer

    markup = render_answer("3", hostile_answer(), {}, kiosk=False)
    links = [attrs for tag, attrs in tags_of(markup) if tag == "a" and "cite" in (attrs.get("class") or "")]
    assert [a["href"] for a in links] == ["#src-3-1"]  # [7] cites nothing, so it stays text
    assert 'id="src-3-1"' in markup and "and [7]." in markup
    assert "<mark>Quoted &lt;img" in markup
    # The suggestion's markup is an attribute's text, escaped ("&quot;" or "&#34;"), never an attribute.
    asks = [attrs for tag, attrs in tags_of(markup) if tag == "button" and attrs.get("class") == "ask"]
    assert [a["data-question"] for a in asks] == [f"Ask {HOSTILE}"] and "onerror" not in asks[0]
    assert 'data-question="Ask &lt;img src=x onerror=' in markup and 'onerror="' not in markup


@pytest.mark.unit
def test_take_home_encodes_only_the_web_links():
    from bot.ui_html import source_links, take_home

    answer = hostile_answer()
    assert source_links(answer) == []  # a javascript: URL and a DOI with markup in it are dropped
    answer.citations[0].url = "https://doi.org/10.35493/medu.48.30"
    answer.citations[0].references = [
        {"n": 1, "url": None, "doi": "10.1186/s12967-023-04292-3"},
        {"n": 2, "url": "https://doi.org/10.35493/medu.48.30"},  # a repeat is encoded once
    ]
    assert source_links(answer) == ["https://doi.org/10.35493/medu.48.30", "https://doi.org/10.1186/s12967-023-04292-3"]
    home = "".join(take_home("1", answer, kiosk=True))
    assert 'src="data:image/svg+xml' in home and "2 links" in home
    assert "<a " not in home  # a kiosk shows the links as text


@pytest.mark.unit
def test_defined_words_are_tappable_once_and_only_where_not_spelled_out():
    from bot.ui_html import Definition, render_answer

    glossary = {
        "CRS": Definition(
            "CRS", "cytokine release syndrome", "…such as cytokine release syndrome (CRS), a…", "T", "S", None
        ),
        "NK": Definition("NK", "natural killer", "CAR-NK uses natural killer (NK) cells.", "T", "S", None),
        "TAA": Definition(
            "TAA", "tumour-associated antigens", "Therefore, tumour-associated antigens (TAAs)…", "T", "S", None
        ),
    }
    body = "CRS is rare with CAR-NK and NK-cell products; CRS again. TAAs are common. [1]"
    markup = render_answer("1", Answer(body=body), glossary, kiosk=True)
    terms = [attrs for tag, attrs in tags_of(markup) if tag == "button" and attrs.get("class") == "term"]
    assert [t["aria-controls"] for t in terms] == ["def-1-CRS", "def-1-TAA"]  # not "NK" inside CAR-NK / NK-cell
    assert 'id="def-1-CRS" hidden' in markup and "<mark>cytokine release syndrome (CRS)</mark>" in markup
    spelled = render_answer("1", Answer(body="It can cause cytokine release syndrome (CRS). [1]"), glossary, kiosk=True)
    assert 'class="term"' not in spelled


@pytest.mark.unit
def test_every_reply_kind_carries_the_notice():
    from bot.ui_html import Pending, render_conversation

    kinds = {
        "urgent": Answer(body=replies.URGENT, refused=True, triage="emergency"),
        "refused": Answer(body=replies.NOT_COVERED, refused=True, triage="not_covered"),
        "answered": Answer(body="A sentence. [1]"),
    }
    for kind, answer in kinds.items():
        markup = render_conversation([Turn("q", answer)], Pending("next"))
        assert f'class="answer {kind}"' in markup
        assert markup.count(replies.NOTICE) == 2  # in the reply, and under the answer being written
    assert 'role="alert"' in render_conversation([Turn("q", kinds["urgent"])])


@pytest.mark.unit
def test_the_package_imports_without_gradio_and_kiosk_options_keep_nothing():
    code = "import sys, bot.ui, bot.ui_html; assert 'gradio' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    from bot.config import Settings
    from bot.ui import launch_options

    kiosk = launch_options(Settings(kiosk=True))
    assert kiosk["run_history"] is False and kiosk["footer_links"] == [] and kiosk["enable_monitoring"] is False
    assert kiosk["app_kwargs"]["middleware"]
    home = launch_options(Settings())
    assert home["run_history"] is False and "api" not in home["footer_links"]


# -- the handlers with the real assistant -------------------------------------------------------
@pytest.mark.integration
def test_glossary_is_built_from_the_corpus(assistant, documents):
    from bot.chunking import strip_markers
    from bot.ui import CorpusGlossary

    glossary = CorpusGlossary(assistant).get()
    assert {"CRS", "ICANS", "GvHD", "iPSC", "TME", "ADCC", "MHC", "TSA", "TAA"} <= set(glossary)
    corpus = " ".join(strip_markers(p)[0] for d in documents for s in d.sections for p in s.paragraphs)
    titles = {d.title for d in documents}
    for term, d in glossary.items():
        assert d.sentence in corpus and f"{d.long_form} ({term}" in d.sentence  # the article's own words
        assert d.title in titles and d.section


def updates_of(handler) -> list:
    """Every update an (async generator) event handler yields, as Gradio would collect them.

    On a thread of its own: the browser tests' Playwright keeps an event loop on this one.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def collect() -> list:
        return [update async for update in handler]

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, collect()).result()


@pytest.mark.integration
def test_follow_up_questions_carry_the_conversation(assistant):
    from bot.ui import ChatHandlers, CorpusGlossary, history_of

    handlers = ChatHandlers(assistant, CorpusGlossary(assistant), kiosk=False)
    *_, (_, _, _, turns) = updates_of(handlers.respond("What is CAR-NK cell therapy?", []))
    assert len(turns) == 1 and not turns[0].answer.refused
    updates = updates_of(handlers.respond("what about its side effects?", turns))
    assert updates[0][2] == ""  # the question box is cleared at once
    assert 'class="turn pending"' in updates[0][1]  # the turn being written, apart from the log
    html, pending, _, after = updates[-1]
    assert pending == ""
    assert [t.question for t in after] == ["What is CAR-NK cell therapy?", "what about its side effects?"]
    assert history_of(turns) == [
        {"role": "user", "content": "What is CAR-NK cell therapy?"},
        {"role": "assistant", "content": turns[0].answer.body},
    ]
    expected = assistant.ask("what about its side effects?", history_of(turns))
    assert after[-1].answer.body == expected.body
    assert len(turns) == 1  # the session's previous state is not changed in place
    assert html.count('class="turn"') == 2 and replies.NOTICE in html
