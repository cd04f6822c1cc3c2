"""Refresh the documentation's screenshots: ``python -m tests.screenshots``.

Starts the home and kiosk apps (each builds its index in a temporary folder), asks the same first
question as the browser tests in real Chromium, and writes ``docs/phone.png`` (390 × 844, after the
first answer) and ``docs/kiosk.png`` (1080 × 1920, "Take home" open). The tests never write to
``docs/``; they keep their screenshots in the ignored ``tests/screenshots/``.

``--repo DIR --only phone --name phone-before.png`` shoots another checkout (how
``docs/phone-before.png`` was made from the commit before the phone layout).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from tests.test_ui import (
    CHROMIUM,
    FIRST_QUESTION,
    KIOSK,
    MEASURE_JS,
    PHONE,
    REPO,
    AppProcess,
    ask,
    free_ports,
    open_page,
)


def shoot_phone(browser, url: str, path: Path) -> dict:
    page = open_page(browser, url, viewport=PHONE, is_mobile=True, has_touch=True)
    ask(page, FIRST_QUESTION)
    page.evaluate("document.querySelector('#turn-1').scrollIntoView({block: 'start'})")
    page.wait_for_timeout(400)
    figures = page.evaluate(MEASURE_JS)
    page.screenshot(path=str(path))
    page.context.close()
    return figures


def shoot_kiosk(browser, url: str, path: Path) -> dict:
    page = open_page(browser, url, viewport=KIOSK)
    ask(page, FIRST_QUESTION)
    page.click(".answer button.take-home")
    page.wait_for_timeout(600)  # let the smooth scroll settle
    page.evaluate("document.querySelector('#turn-1').scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    figures = page.evaluate(MEASURE_JS)
    page.screenshot(path=str(path))
    page.context.close()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.screenshots", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose app.py is shot")
    parser.add_argument("--only", choices=["phone", "kiosk"], help="one of the two screenshots")
    parser.add_argument("--name", help="file name in --out instead of phone.png / kiosk.png")
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="folder for the PNG files")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    wanted = [args.only] if args.only else ["phone", "kiosk"]
    ports = iter(free_ports(len(wanted)))
    with tempfile.TemporaryDirectory(prefix="bot-shots-") as work:
        flags = {"phone": [], "kiosk": ["--kiosk"]}
        apps = {kind: AppProcess(kind, next(ports), Path(work) / kind, *flags[kind], repo=args.repo) for kind in wanted}
        try:
            for app in apps.values():
                app.wait_ready()
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                args.out.mkdir(parents=True, exist_ok=True)
                for kind, app in apps.items():
                    path = args.out / (args.name or f"{kind}.png")
                    shoot = shoot_phone if kind == "phone" else shoot_kiosk
                    figures = shoot(browser, app.url, path)
                    print(f"{path}: " + json.dumps(figures))
                browser.close()
        finally:
            for app in apps.values():
                app.stop()


if __name__ == "__main__":
    main()
