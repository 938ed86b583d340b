"""The episode page in a real headless Chromium (Debian's chromium + chromium-driver, driven by
Selenium): it loads without console errors, a chapter button seeks the player, and the
transcript highlights the cue under the playhead, served over HTTP with Range support and
opened from file://. A screenshot is written for review (also to $AUDIOESSAY_SCREENSHOT_DIR)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from serve_range import serve
from test_id3 import sample_timeline
from test_site import make_show

from audioessay.publish.site import build_site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="no Chromium here: install Debian's packages with `apt-get install -y chromium chromium-driver`",
)
PAGE = quote("01 골목길.html")
WAIT_S = 30  # an upper bound for page and media loading, not a timing assertion


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    build_site(make_show(folder / "src"), folder / "site")
    return folder / "site"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--mute-audio", "--window-size=1000,1600",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # the system chromedriver: Selenium Manager must not try to download one
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def player(driver, prop: str):
    return driver.execute_script(f"return document.getElementById('player').{prop};")


def wait_for_metadata(driver) -> None:
    WebDriverWait(driver, WAIT_S).until(lambda d: player(d, "readyState") >= 1 and player(d, "duration") > 20)


def check_chapter_seek(driver) -> None:
    """Clicking the second chapter moves the player to that chapter's start."""
    second = sample_timeline().chapters[1]
    buttons = driver.find_elements(By.CSS_SELECTOR, "button.chapter")
    assert len(buttons) == 4
    buttons[1].click()
    start = second.start_ms / 1000
    # it may start playing from there, so allow a little progress past the start
    WebDriverWait(driver, WAIT_S).until(lambda d: start - 0.05 <= player(d, "currentTime") < start + 3)
    driver.execute_script("document.getElementById('player').pause();")
    assert start - 0.05 <= player(driver, "currentTime") < start + 3


def check_transcript_follows(driver) -> None:
    """Moving the playhead into a cue highlights that cue (and its chapter), and only it."""
    timeline = sample_timeline()
    for cue in (timeline.cues[2], timeline.cues[5]):
        middle = (cue.start_ms + cue.end_ms) / 2000
        driver.execute_script("const a = document.getElementById('player'); a.pause(); a.currentTime = arguments[0];",
                              middle)
        WebDriverWait(driver, WAIT_S).until(
            lambda d, text=cue.text: [e.text for e in d.find_elements(By.CSS_SELECTOR, "button.cue.current")] == [text])
        current = driver.find_element(By.CSS_SELECTOR, "button.cue.current")
        assert current.get_attribute("aria-current") == "true"
        chapter = next(c for c in timeline.chapters if c.start_ms <= cue.start_ms < c.end_ms)
        assert driver.find_element(By.CSS_SELECTOR, "button.chapter.current").text.endswith(chapter.title)


def check_cue_click_seeks(driver) -> None:
    cue = sample_timeline().cues[4]
    driver.find_elements(By.CSS_SELECTOR, "button.cue")[4].click()
    start = cue.start_ms / 1000
    WebDriverWait(driver, WAIT_S).until(lambda d: start - 0.05 <= player(d, "currentTime") < start + 3)
    driver.execute_script("document.getElementById('player').pause();")


def screenshot(driver, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    assert driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    extra = os.environ.get("AUDIOESSAY_SCREENSHOT_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(extra) / name)
    return path


def test_episode_page_over_http(browser, site: Path, tmp_path: Path) -> None:
    with serve(site) as base:
        browser.get(base + PAGE)
        assert browser.title.startswith("골목길의 서점")
        wait_for_metadata(browser)
        check_chapter_seek(browser)
        check_transcript_follows(browser)
        check_cue_click_seeks(browser)
        screenshot(browser, tmp_path, "episode-page.png")
        browser.get(base + "index.html")
        WebDriverWait(browser, WAIT_S).until(
            lambda d: d.execute_script("const i = document.querySelector('img'); return i && i.complete && i.naturalWidth;"))
        links = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "ol.episodes a")]
        assert links == ["두 번째", "골목길의 서점"]
        screenshot(browser, tmp_path, "index-page.png")
        assert console_errors(browser) == []


def test_episode_page_from_file(browser, site: Path) -> None:
    browser.get((site / "01 골목길.html").as_uri())
    wait_for_metadata(browser)
    check_chapter_seek(browser)
    check_transcript_follows(browser)
    assert console_errors(browser) == []
