"""Checks that every relative link of every generated page leads to a file on disk.

Looks at `a[href]`, `img[src]`, `link[href]`, `script[src]` and `source[src]`: the target must
exist (a folder link needs its index.html), a `#fragment` must name an id in the target page,
and a page of a reseller must not link out of that reseller's folder (each reseller root is
deployed on its own host). Absolute URLs (`https:`, `mailto:`, `data:` …) are not followed.
Only 404.html may link from the site root (`/assets/…`): the web server serves it at any depth.
These checks assume a base_url without a path, as in the workspaces the browser checks build.
"""

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ERROR_PAGE = "404.html"
LINKING_ATTRIBUTES = {"a": "href", "img": "src", "link": "href", "script": "src", "source": "src"}


@dataclass(frozen=True)
class Link:
    tag: str
    value: str
    line: int


class _PageScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        attribute = LINKING_ATTRIBUTES.get(tag)
        if attribute and values.get(attribute) is not None:
            self.links.append(Link(tag, values[attribute] or "", self.getpos()[0]))


def _scan(path: Path) -> _PageScanner:
    scanner = _PageScanner()
    scanner.feed(path.read_text(encoding="utf-8"))
    scanner.close()
    return scanner


def _deploy_root(page: Path, build_root: Path) -> Path:
    """The folder a page is published from: its reseller folder, or _portfolio."""
    return build_root / page.relative_to(build_root).parts[0]


def check_links(build_root: Path) -> list[tuple[str, str]]:
    """(page, problem) for every broken relative link of every .html file below build_root."""
    build_root = build_root.resolve()
    pages = sorted(build_root.rglob("*.html"))
    scans = {page: _scan(page) for page in pages}
    problems: list[tuple[str, str]] = []
    for page, scan in scans.items():
        label = page.relative_to(build_root).as_posix()
        for link in scan.links:
            problem = _problem(page, link, scans, build_root)
            if problem:
                problems.append((label, f"line {link.line}: <{link.tag}> {link.value!r}: {problem}"))
    return problems


def _problem(page: Path, link: Link, scans: dict[Path, _PageScanner], build_root: Path) -> str | None:
    if not link.value.strip():
        return "empty link"
    parts = urlsplit(link.value)
    if parts.scheme or parts.netloc:
        return None
    if not parts.path:
        target = page
    else:
        deploy_root = _deploy_root(page, build_root)
        if parts.path.startswith("/"):
            if page.name != ERROR_PAGE or page.parent != deploy_root:
                return "root-relative link (breaks in a sub-folder and from file://)"
            target = (deploy_root / unquote(parts.path).lstrip("/")).resolve()
        else:
            target = (page.parent / unquote(parts.path)).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return "no such file"
        if deploy_root.name != "_portfolio" and not target.is_relative_to(deploy_root):
            return f"leads out of the deployed folder {deploy_root.name}/"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html":
        scan = scans.get(target) or _scan(target)
        if fragment not in scan.ids:
            return f"no element with id {fragment!r} in {target.name}"
    return None
