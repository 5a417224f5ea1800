"""One headless Chromium, driven through Selenium and the DevTools protocol.

Debian's `chromium` and `chromium-driver`: `--headless=new --no-sandbox` (runs as root in CI).
Widths are set with `Emulation.setDeviceMetricsOverride` (the window size is clamped to 500 px
in headless mode, and mobile emulation would widen the layout viewport and hide overflow).
"""

import base64
import json
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
MM_PER_INCH = 25.4
CSS_PX_PER_INCH = 96
A4_MM = (210.0, 297.0)
# Chromium's margins for printToPDF when the page's CSS sets none (0.4 inch).
DEFAULT_PRINT_MARGIN_MM = 0.4 * MM_PER_INCH
MAX_SCREENSHOT_HEIGHT = 12_000


class Browser:
    def __init__(self) -> None:
        options = Options()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,900", "--lang=en-US", "--force-color-profile=srgb",
                         # lets the print check read the @page rules of a stylesheet opened from disk
                         "--allow-file-access-from-files"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_script_timeout(120)
        self.driver.set_page_load_timeout(60)

    def close(self) -> None:
        self.driver.quit()

    def cdp(self, command: str, params: dict | None = None) -> dict:
        return self.driver.execute_cdp_cmd(command, params or {})

    def set_width(self, width: int, height: int) -> None:
        self.cdp("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def set_media(self, media: str) -> None:
        """"print" lays the page out with its print styles; "" goes back to the screen."""
        self.cdp("Emulation.setEmulatedMedia", {"media": media})

    def open(self, url: str) -> None:
        self.driver.get_log("browser")  # drops messages of the previous page
        self.driver.get(url)

    def console_errors(self) -> list[str]:
        return [entry["message"] for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]

    def run(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def run_async(self, script: str, *args):
        return self.driver.execute_async_script(script, *args)

    def save_full_screenshot(self, path: Path) -> None:
        metrics = self.cdp("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        viewport = metrics.get("cssLayoutViewport") or metrics["layoutViewport"]
        width = max(size["width"], viewport["clientWidth"])
        height = min(max(size["height"], viewport["clientHeight"]), MAX_SCREENSHOT_HEIGHT)
        shot = self.cdp("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True, "optimizeForSpeed": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        })
        path.write_bytes(base64.b64decode(shot["data"]))

    def print_a4(self, path: Path) -> None:
        """Prints the page as Chromium's "Save as PDF" would, on A4, with backgrounds."""
        margin_inch = DEFAULT_PRINT_MARGIN_MM / MM_PER_INCH
        pdf = self.cdp("Page.printToPDF", {
            "paperWidth": A4_MM[0] / MM_PER_INCH, "paperHeight": A4_MM[1] / MM_PER_INCH,
            "marginTop": margin_inch, "marginBottom": margin_inch,
            "marginLeft": margin_inch, "marginRight": margin_inch,
            "printBackground": True,
        })
        path.write_bytes(base64.b64decode(pdf["data"]))


def mm_to_css_px(mm: float) -> float:
    return mm / MM_PER_INCH * CSS_PX_PER_INCH


def describe(value) -> str:
    return json.dumps(value, ensure_ascii=False)
