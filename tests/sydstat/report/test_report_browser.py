"""The report as a person meets it: pages rendered by Debian's headless Chromium (driven by chromedriver via Selenium),
served from 127.0.0.1, checked with axe-core for accessibility, by keyboard, and by looking at the pixels.

Prerequisites come from tests/browser/setup.sh (run by `make test`); without them these tests skip and say why.
"""

from __future__ import annotations

import functools
import http.server
import io
import re
import shutil
import threading
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
PAGES = ["index.html", "kommun/1282.html", "datakatalog.html"]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="Debian chromium + chromium-driver not installed (tests/browser/setup.sh, needs root)",
    ),
]


@pytest.fixture(scope="module")
def site(demo_home, tmp_path_factory) -> Path:
    from sydstat.report import build_report

    out = tmp_path_factory.mktemp("report") / "site"
    for code in ("1080", "1282"):  # two municipality pages (Karlskrona, Landskrona) and the overview
        build_report(demo_home / "warehouse.duckdb", out, municipality=code)
    return out


@pytest.fixture(scope="module")
def base_url(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1600",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


def _open(browser, url: str) -> None:
    browser.get(url)
    browser.get_log("browser")  # drop messages from earlier pages


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_console_errors_and_stays_offline(browser, base_url, page):
    browser.get(base_url + page)
    assert browser.execute_script("return document.readyState") == "complete"
    assert browser.execute_script("return document.documentElement.lang") == "sv"
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(url.startswith(base_url) for url in resources), resources  # nothing fetched from elsewhere


@pytest.mark.parametrize("page", ["index.html", "kommun/1282.html"])
def test_charts_have_drawn_and_have_text_alternatives(browser, base_url, page, tmp_path):
    from PIL import Image
    from selenium.webdriver.common.by import By

    _open(browser, base_url + page)
    images = browser.find_elements(By.CSS_SELECTOR, "figure img")
    assert len(images) >= (1 if page == "index.html" else 3)
    for image in images:
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image)
        assert len(image.get_attribute("alt")) > 40  # says what the chart shows, not just "diagram"
        browser.execute_script("arguments[0].scrollIntoView()", image)
        pixels = Image.open(io.BytesIO(image.screenshot_as_png)).convert("RGB")
        colours = pixels.getcolors(maxcolors=1 << 20)
        ink = sum(n for n, rgb in colours if sum(rgb) < 600) / (pixels.width * pixels.height)
        assert len(colours) > 20 and ink > 0.01, f"{image.get_attribute('src')} looks blank"
    page_shot = Image.open(io.BytesIO(browser.get_screenshot_as_png()))
    assert page_shot.width >= 1000
    page_shot.save(tmp_path / "page.png")
    # every chart has its data as a table behind it
    assert len(browser.find_elements(By.CSS_SELECTOR, "figure:not(.map-figure) + details table")) == len(images)


@pytest.mark.parametrize("page", ["index.html", "kommun/1282.html", "kommun/1080.html"])
def test_maps_and_peers_are_drawn_and_read_with_a_screen_reader(browser, base_url, page, tmp_path):
    """Issue 18: the overview has a choropleth per headline indicator, a municipality's page its place on the map
    and the comparison with its SKR kommungrupp; each shape names the municipality and its value."""
    from PIL import Image
    from selenium.webdriver.common.by import By

    _open(browser, base_url + page)
    maps = browser.find_elements(By.CSS_SELECTOR, "figure.map-figure svg[role=img]")
    assert len(maps) >= (3 if page == "index.html" else 1)
    for svg in maps:
        titles = [t.get_attribute("textContent") for t in svg.find_elements(By.CSS_SELECTOR, "path > title")]
        assert len(titles) == 38 and all(
            re.match(r".+: (−?[\d\s\u202f]+(,\d+)?( %| kr| år)?|värde saknas)$", t) for t in titles
        ), titles[:3]
        browser.execute_script("arguments[0].scrollIntoView()", svg)
        pixels = Image.open(io.BytesIO(svg.screenshot_as_png)).convert("RGB")
        assert len(pixels.getcolors(maxcolors=1 << 20)) > 5, "the map looks blank"
    if page != "index.html":
        assert browser.find_elements(By.CSS_SELECTOR, "svg path[stroke='#d6336c']")  # the municipality marked
        peers = browser.find_element(By.CSS_SELECTOR, "#liknande + div table")
        assert "kommungrupp" in peers.find_element(By.TAG_NAME, "caption").text
    shot = Image.open(io.BytesIO(browser.get_screenshot_as_png()))
    shot.save(tmp_path / f"{page.replace('/', '-')}.png")  # the screenshot the issue asks for


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core not installed (npm ci in tests/browser, see setup.sh)")
@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_no_serious_or_critical_violations(browser, base_url, page):
    _open(browser, base_url + page)
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    violations = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done([String(e)]));"
    )
    serious = [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"][:3]])
        for v in violations
        if not isinstance(v, dict) or v.get("impact") in ("serious", "critical")
    ]
    assert serious == []


def test_keyboard_skip_link_reaches_the_content(browser, base_url):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    _open(browser, base_url + "kommun/1282.html")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    focused = browser.switch_to.active_element
    assert focused.text == "Hoppa till innehållet" and focused.is_displayed()
    focused.send_keys(Keys.ENTER)
    assert browser.execute_script("return document.activeElement.id") == "innehall"
    # the municipality menu opens from the keyboard and marks the current page
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    assert browser.execute_script("return document.activeElement.tagName") == "SUMMARY"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    assert browser.execute_script("return document.querySelector('nav details').open")
    assert browser.execute_script("return document.querySelector('[aria-current=page]').textContent") == "Landskrona"


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core not installed (npm ci in tests/browser, see setup.sh)")
def test_axe_check_would_catch_a_chart_without_text_alternative(browser, base_url, site):
    """Guards the guard: the same axe run reports a critical violation on a page that lacks alt text and lang."""
    (site / "broken.html").write_text(
        '<!DOCTYPE html><html><head><title>x</title></head><body><img src="static/favicon.svg"></body></html>',
        encoding="utf-8",
    )
    _open(browser, base_url + "broken.html")
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    violations = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations));"
    )
    assert {"image-alt", "html-has-lang"} <= {v["id"] for v in violations}


def test_tables_sort_and_download_as_csv(browser, base_url):
    """Issue 18: a click on a header sorts the table (aria-sort says how); every table, charts' data included, has a
    CSV download built in the page (offline)."""
    from selenium.webdriver.common.by import By

    _open(browser, base_url + "kommun/1282.html")
    table = browser.find_element(By.CSS_SELECTOR, "#liknande + div table")
    header = table.find_elements(By.CSS_SELECTOR, "thead th")[1]
    browser.execute_script("arguments[0].scrollIntoView()", header)
    header.find_element(By.CSS_SELECTOR, "button.sort").click()
    assert header.get_attribute("aria-sort") == "ascending"
    years = [r.find_elements(By.TAG_NAME, "td")[0].text for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert years == sorted(years)
    links = browser.find_elements(By.CSS_SELECTOR, "a.csv")
    assert len(links) == len(browser.find_elements(By.CSS_SELECTOR, "table"))
    assert all(a.get_attribute("href").startswith("data:text/csv") for a in links)
