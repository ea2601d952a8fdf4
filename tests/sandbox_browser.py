"""Driving the sandbox's page in headless Chromium (Debian's `chromium` + `chromium-driver`).

`ServedSandbox` runs the sandbox in the test's process (as `python -m bot sandbox` does), so a
test fails when the bot raised behind the page. `Page` wraps the WebDriver with
the few gestures the tests need (type in the composer, switch person, hover a message…).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.launch import start_sandbox

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,900",
)
WAIT_SECONDS = 15.0


def chromium_paths() -> tuple[str, str] | None:
    """(browser, driver) from Debian's packages, or None when they are not installed."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def require_chromium() -> tuple[str, str]:
    """Skips without Chromium on a developer's machine; in CI (.ci/run installs it) it fails."""
    paths = chromium_paths()
    try:
        import selenium  # noqa: F401
    except ImportError:
        paths = None
    if paths is None:
        reason = (
            "the browser tests need chromium, chromium-driver (apt-get install -y chromium "
            "chromium-driver) and selenium (pip install -e '.[test]')"
        )
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    assert paths is not None
    return paths


class ServedSandbox:
    """The sandbox (`bot.sandbox.launch`, as `python -m bot sandbox` starts it) in this process,
    so a test can fail when the bot raised behind the page or Slack would have refused a call."""

    def __init__(self, database_url: str | None = None, start: datetime | None = None) -> None:
        self.running = start_sandbox(0, database_url, start)
        self.url = self.running.url

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            self.url.rstrip("/") + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer: dict[str, Any] = json.loads(response.read())
        return answer

    def state(self, user: str = "") -> dict[str, Any]:
        query = f"?user={user}" if user else ""
        with urllib.request.urlopen(f"{self.url}api/state{query}", timeout=30) as response:
            answer: dict[str, Any] = json.loads(response.read())
        return answer

    def problems(self) -> list[str]:
        """What went wrong behind the page since the last reset: the bot's failures and the Web
        API calls Slack would have refused."""
        sandbox = self.running.sandbox
        return [f"{where}: {error!r}" for where, error in sandbox.failures] + [
            f"refused: {call}" for call in sandbox.slack.rejected
        ]

    def reset(self) -> None:
        self.post("/api/reset", {})
        self.running.sandbox.failures.clear()

    def stop(self) -> None:
        self.running.stop()


def chrome(browser: str, driver: str, profile: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    # The driver is given: Selenium Manager must not look for one on the network.
    os.environ.setdefault("SE_OFFLINE", "true")
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


class Page:
    """The sandbox page in one browser, with the gestures the tests use."""

    def __init__(self, driver: Any, sandbox: ServedSandbox) -> None:
        self.driver = driver
        self.sandbox = sandbox

    # -- waiting -------------------------------------------------------------------------

    def wait(self, condition: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS) -> Any:
        from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait

        def attempt(_: Any) -> Any:
            try:
                return condition()
            except StaleElementReferenceException:
                return None  # the page re-rendered meanwhile: look again

        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(attempt)
        except TimeoutException:
            self.screenshot("timeout")
            raise AssertionError(f"timed out waiting for {what}") from None

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def text(self, css: str) -> str:
        return "\n".join(element.text for element in self.find_all(css))

    def wait_text(self, css: str, wanted: str, timeout: float = WAIT_SECONDS) -> str:
        return self.wait(
            lambda: (found := self.text(css)) and wanted in found and found,
            f"{wanted!r} in {css}",
            timeout,
        )

    # -- gestures ------------------------------------------------------------------------

    def open(self) -> None:
        self.driver.get(self.sandbox.url)
        self.wait(lambda: self.find("body").get_attribute("data-version"), "the first render")

    def reload_without(self, global_name: str) -> None:
        """Loads the page again as a browser lacking `global_name` (e.g. EventSource) would."""
        script = self.driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": f"delete window.{global_name};"}
        )
        try:
            self.open()
        finally:
            self.driver.execute_cdp_cmd(
                "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
            )

    def channel(self) -> str:
        """The channel shown (the sidebar's active entry)."""
        return str(self.find(".channel-entry.active").get_attribute("data-channel"))

    def type_into(self, box_id: str, text: str) -> None:
        from selenium.webdriver.common.keys import Keys

        box = self.find(f"#{box_id}")
        box.click()
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def say(self, text: str) -> None:
        """Types into the channel's composer and presses Enter."""
        self.type_into("composer", text)

    def act_as(self, name: str) -> None:
        from selenium.webdriver.support.ui import Select

        select = Select(self.find("#user-switch"))
        option = next(o for o in select.options if o.text.startswith(name))
        person = option.get_attribute("value")
        select.select_by_value(person)
        self.wait(lambda: self.find("body").get_attribute("data-me") == person, f"acting as {name}")

    def message(self, containing: str, pane: str = "#messages") -> Any:
        """The message in `pane` whose text contains `containing` (waits for it)."""

        def look() -> Any:
            for message in self.find_all(f"{pane} .message"):
                if containing in message.text:
                    return message
            return None

        return self.wait(look, f"a message with {containing!r} in {pane}")

    def open_thread(self, containing: str) -> None:
        """Clicks "N replies" under the channel's message containing `containing`."""

        def look() -> Any:
            for message in self.find_all("#messages .message"):
                links = message.find_elements("css selector", ".replies-link")
                if containing in message.text and links:
                    return links[0]
            return None

        self.wait(look, f"a thread under a message with {containing!r}").click()
        self.wait(lambda: self.find("#thread-pane").is_displayed(), "the thread pane")

    def hover(self, element: Any) -> None:
        from selenium.webdriver.common.action_chains import ActionChains

        ActionChains(self.driver).move_to_element(element).perform()

    def hover_and_click(self, message: Any, css: str) -> None:
        """Clicks one of the controls a message shows on hover (react, reply, more)."""
        self.hover(message)
        self.within(message, css).click()

    def within(self, element: Any, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return element.find_element(By.CSS_SELECTOR, css)

    def set_value(self, element: Any, value: str) -> None:
        """Sets a date/time input the way a picker does (typing into them depends on locale)."""
        self.driver.execute_script(
            "arguments[0].value = arguments[1];"
            "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
            "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
            element,
            value,
        )

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"sandbox_{name}.png"
        self.driver.save_screenshot(str(path))
        return path
