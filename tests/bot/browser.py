"""A real headless Chromium for the tests: Debian's `chromium` driven by Selenium through Debian's `chromedriver`
(the same package version as the browser, so they always match; nothing is downloaded). Without them the tests
that need it are skipped with the reason, except under CI (`CI` set), where `.ci/run` installs them.

Screenshots go to `test-artifacts/` at the project's root (ignored by git), kept after the run.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Chromium (a selenium WebDriver), shared by the session."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        if os.environ.get("CI"):
            pytest.fail("CI=true but chromium is not installed: .ci/run should install chromium and chromium-driver")
        pytest.skip("chromium not found: install Debian's chromium and chromium-driver packages")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--no-first-run", "--disable-extensions"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: object, name: str) -> Path:
    """The whole page as a PNG under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")  # type: ignore[attr-defined]
    driver.set_window_size(1280, max(1000, int(height)))  # type: ignore[attr-defined]
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    return path
