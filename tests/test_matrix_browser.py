"""The exported page in a real browser: Debian's chromium, driven headless by Playwright.

`.ci/run` installs chromium with apt-get; Playwright is only the driver (its own browser
downloads are never used). Where no chromium is installed the tests skip, saying so. The
screenshot the README shows (docs/matrix.png) is written here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.export_html import export_html
from bot.org import load_org
from bot.people import Directory, Group, Person

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine: .ci/run installs Debian's "
                                                         "with `apt-get install chromium`")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "matrix.png"
ORG = 'ml-engineer: {group: "@ml-platform", channel: "#ml-platform"}\ndevops-engineer: {channel: "#platform"}\n'


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def page_file(kb, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    org_file = folder / "org.yaml"
    org_file.write_text(ORG, encoding="utf-8")
    members = tuple(Person(f"U0{i}", n) for i, n in enumerate(["Ana", "Ben", "Cy", "Dee", "Eve"]))
    directory = Directory({"@ml-platform": Group("S0ML", "ml-platform", "ML platform", members, 5)})
    return export_html(kb, folder, load_org(org_file, kb.roles), directory)


@pytest.fixture
def page(browser, page_file):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.problems = []  # console errors, uncaught exceptions, and any request that is not the file
    tab.on("console", lambda m: tab.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))

    def only_the_file(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            tab.problems.append(f"network: {route.request.url}")
            route.abort()

    tab.route("**/*", only_the_file)
    tab.goto(page_file.as_uri())
    yield tab
    context.close()


def visible_rows(page) -> list[str]:
    return page.eval_on_selector_all("tr[data-resp]", "rows => rows.filter(r => r.offsetParent !== null)"
                                                      ".map(r => r.dataset.resp)")


def test_matrix_loads_clean_with_one_row_per_task_and_one_column_per_role(page, kb):
    assert page.locator("table.raci thead th[data-role]").count() == len(kb.roles)
    assert page.locator("tr[data-resp]").count() == len(kb.responsibilities)
    assert sorted(visible_rows(page)) == sorted(kb.responsibilities)
    cells = page.eval_on_selector_all("tr[data-resp]", "rows => rows.map(r => r.querySelectorAll('td').length)")
    assert set(cells) == {len(kb.roles)}
    owner = page.locator('tr[data-resp="model-deployment"] td[data-part="A"]')
    assert owner.count() == 1 and owner.inner_text() == "A"
    role = owner.get_attribute("data-role")
    header = page.locator(f'thead th[data-role="{role}"]').inner_text()
    assert role == "ml-engineer" and header == kb.roles["ml-engineer"].title
    assert page.eval_on_selector("thead th[data-role]", "th => getComputedStyle(th).position") == "sticky"
    assert page.problems == []


def test_search_narrows_the_rows_as_you_type(page, kb):
    page.locator("#q").press_sequentially("deploy")
    shown = visible_rows(page)
    assert "model-deployment" in shown and 0 < len(shown) < len(kb.responsibilities)
    assert page.locator("#role-ml-engineer").is_visible()
    assert not page.locator("#role-data-labeler").is_visible()
    page.fill("#q", "zzzz-nothing")
    assert visible_rows(page) == [] and page.locator("#empty").is_visible()
    page.fill("#q", "")
    assert len(visible_rows(page)) == len(kb.responsibilities) and not page.locator("#empty").is_visible()
    assert page.problems == []


def test_every_cell_links_to_its_entry_and_cards_show_people(page):
    page.click('tr[data-resp="model-deployment"] td[data-part="A"] a')
    assert page.evaluate("location.hash") == "#responsibility-model-deployment"
    assert page.locator("#responsibility-model-deployment").is_visible()
    card = page.locator("#role-ml-engineer").inner_text()
    assert "@ml-platform: Ana, Ben and 3 more" in card and "#ml-platform" in card
    assert page.problems == []


def test_readable_on_a_phone_and_printable(page):
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # the matrix scrolls inside
    page.emulate_media(media="print")
    assert not page.locator("#q").is_visible()
    assert page.eval_on_selector(".matrix-wrap", "w => getComputedStyle(w).overflow") == "visible"
    assert page.problems == []


def test_screenshot_for_the_readme(page):
    shot = page.screenshot()
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    SCREENSHOT.parent.mkdir(exist_ok=True)
    if not SCREENSHOT.exists() or SCREENSHOT.read_bytes() != shot:
        SCREENSHOT.write_bytes(shot)
