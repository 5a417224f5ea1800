"""Finds, in a build's output folder, one page of each page type to open in the browser.

A build output holds `_portfolio/` and one folder per reseller. Per reseller the page types
are the landing page, learn/dmarc.html and 404.html, and per client its index, and of its
newest month the overview, every domain page and the TLS page. Every reseller must show every
page type through at least one of its clients, or the check would silently test less.
"""

import re
from dataclasses import dataclass
from pathlib import Path

MONTH = re.compile(r"\d{4}-\d{2}")

RESELLER_PAGE_TYPES = ("landing", "learn", "404")
CLIENT_PAGE_TYPES = ("client", "month", "domain", "tls")
PORTFOLIO = "portfolio"
RESELLER_FOLDERS_THAT_ARE_NOT_CLIENTS = {"assets", "learn"}


@dataclass(frozen=True)
class Page:
    site: str          # name of the build, e.g. "demo" or "themes-ja"
    root: Path         # the build's output folder
    path: Path         # the HTML file
    kind: str          # one of the page types above

    @property
    def label(self) -> str:
        return f"{self.site}/{self.path.relative_to(self.root).as_posix()}"

    @property
    def slug(self) -> str:
        """A file name for screenshots and PDFs."""
        return re.sub(r"[^A-Za-z0-9.-]+", "_", self.label.removesuffix(".html"))


def pages_of_build(site: str, root: Path) -> tuple[list[Page], list[str]]:
    """The pages to open, and the page types a reseller is missing (as messages)."""
    pages: list[Page] = []
    missing: list[str] = []
    portfolio = root / "_portfolio" / "index.html"
    if portfolio.is_file():
        pages.append(Page(site, root, portfolio, PORTFOLIO))
    else:
        missing.append(f"{site}: no _portfolio/index.html")
    resellers = sorted(p for p in root.iterdir() if p.is_dir() and p.name != "_portfolio")
    if not resellers:
        missing.append(f"{site}: no reseller folder in {root}")
    for reseller in resellers:
        found = _reseller_pages(site, root, reseller)
        pages += found
        kinds = {page.kind for page in found}
        for kind in RESELLER_PAGE_TYPES + CLIENT_PAGE_TYPES:
            if kind not in kinds:
                missing.append(f"{site}/{reseller.name}: no {kind} page")
    return pages, missing


def _reseller_pages(site: str, root: Path, reseller: Path) -> list[Page]:
    pages = []
    for kind, relative in (("landing", "index.html"), ("learn", "learn/dmarc.html"), ("404", "404.html")):
        if (reseller / relative).is_file():
            pages.append(Page(site, root, reseller / relative, kind))
    clients = sorted(
        p for p in reseller.iterdir()
        if p.is_dir() and p.name not in RESELLER_FOLDERS_THAT_ARE_NOT_CLIENTS and (p / "index.html").is_file()
    )
    for client in clients:
        pages.append(Page(site, root, client / "index.html", "client"))
        months = sorted(p for p in client.iterdir() if p.is_dir() and MONTH.fullmatch(p.name))
        if not months:
            continue
        newest = months[-1]
        if (newest / "index.html").is_file():
            pages.append(Page(site, root, newest / "index.html", "month"))
        for folder in sorted(p for p in newest.iterdir() if p.is_dir()):
            if (folder / "index.html").is_file():
                kind = "tls" if folder.name == "tls" else "domain"
                pages.append(Page(site, root, folder / "index.html", kind))
    return pages
