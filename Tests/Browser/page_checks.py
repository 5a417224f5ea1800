"""The checks run on one open page: each returns a list of problems (empty when it passes)."""

import re
import subprocess
from pathlib import Path

from browser import DEFAULT_PRINT_MARGIN_MM, A4_MM, Browser, mm_to_css_px

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_DESCRIBE_JS = r"""
function describe(el) {
  let text = el.tagName.toLowerCase();
  if (el.id) text += '#' + el.id;
  for (const name of el.classList) text += '.' + name;
  return text;
}
"""

_OVERFLOW_JS = _DESCRIBE_JS + r"""
// clientWidth leaves out a vertical scrollbar, so a page a few pixels too wide is caught too.
const width = document.documentElement.clientWidth;
const scrollWidth = document.documentElement.scrollWidth;
if (scrollWidth <= width) return null;
function clippedByScroller(el) {
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= width + 1) return true;
  }
  return false;
}
const culprits = [];
for (const el of document.body.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.right <= width + 1 || clippedByScroller(el)) continue;
  const parent = el.parentElement.getBoundingClientRect();
  if (el.parentElement === document.body || parent.right <= width + 1) {
    culprits.push(describe(el) + ' (right edge ' + Math.round(r.right) + ' px)');
  }
}
return {scrollWidth, width, culprits: culprits.slice(0, 6)};
"""

_BROKEN_IMAGES_JS = r"""
return [...document.images]
  .filter(img => !img.complete || img.naturalWidth === 0)
  .map(img => img.getAttribute('src'));
"""

_AXE_RUN_JS = r"""
const done = arguments[arguments.length - 1];
const rules = {};
for (const id of arguments[1]) rules[id] = {enabled: false};
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, rules, resultTypes: ['violations']})
  .then(result => done(result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}))))
  .catch(error => done('axe failed: ' + error));
"""

_PAGE_MARGINS_JS = r"""
function margins(rules, found) {
  for (const rule of rules) {
    if (rule.type === CSSRule.PAGE_RULE && !rule.selectorText) {
      if (rule.style.marginLeft) found.left = rule.style.marginLeft;
      if (rule.style.marginRight) found.right = rule.style.marginRight;
    } else if (rule.type === CSSRule.MEDIA_RULE && window.matchMedia(rule.conditionText).matches) {
      margins(rule.cssRules, found);
    }
  }
  return found;
}
const found = {left: null, right: null};
for (const sheet of document.styleSheets) margins(sheet.cssRules, found);
return found;
"""

_PRINT_TABLES_JS = _DESCRIBE_JS + r"""
const pageWidth = arguments[0];
function visible(el) {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
}
const problems = [];
const tables = [];
document.querySelectorAll('table').forEach((table, index) => {
  if (!visible(table)) return;
  let left = 0, right = pageWidth;
  for (let a = table.parentElement; a && a !== document.documentElement; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible') {
      const r = a.getBoundingClientRect();
      left = Math.max(left, r.left); right = Math.min(right, r.right);
    }
  }
  const name = 'table ' + (index + 1) + ' (' + describe(table) + ', headed "' +
    (table.rows[0] ? table.rows[0].innerText.replace(/\s+/g, ' ').trim().slice(0, 50) : '') + '")';
  const rows = [];
  let outside = null, overflowing = [];
  for (const row of table.rows) {
    if (!visible(row)) continue;
    const lines = [];
    for (const cell of row.cells) {
      if (!visible(cell)) continue;
      const r = cell.getBoundingClientRect();
      const text = cell.innerText.trim();
      if (r.right > right + 1 || r.left < left - 1) {
        if (!outside) outside = {text, left: r.left, right: r.right, reach: r.right};
        outside.reach = Math.max(outside.reach, r.right);
      } else if (cell.scrollWidth > cell.clientWidth + 1) {
        overflowing.push('"' + text.slice(0, 30) + '" (' + cell.scrollWidth + ' px in ' + cell.clientWidth + ' px)');
      }
      lines.push(...text.split('\n').map(line => line.trim()).filter(line => line));
    }
    if (lines.length) rows.push(lines);
  }
  if (outside) {
    problems.push(name + ' is wider than the printable area: its cells reach ' + Math.round(outside.reach) +
      ' px, the printable area is ' + Math.round(left) + '–' + Math.round(right) + ' px (first cell past it: "' +
      outside.text.slice(0, 30) + '")');
  }
  if (overflowing.length) {
    problems.push(name + ': content wider than its cell: ' + overflowing.slice(0, 3).join(', ') +
      (overflowing.length > 3 ? ' and ' + (overflowing.length - 3) + ' more' : ''));
  }
  tables.push({name, rows});
});
return {problems, tables};
"""

_LENGTH = re.compile(r"^\s*([\d.]+)(mm|cm|in|pt|px)\s*$")
_MM_PER_UNIT = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "px": 25.4 / 96}
# Removed before comparing page text with PDF text: white space (line breaks, no-break and thin
# spaces, which pdftotext renders differently), soft hyphens and zero-width spaces.
_INVISIBLE = re.compile(r"[\s\u00ad\u200b\u2060]+")


def overflow(browser: Browser) -> list[str]:
    found = browser.run(_OVERFLOW_JS)
    if not found:
        return []
    culprits = "; ".join(found["culprits"]) or "no single element found"
    return [f"horizontal overflow: page is {found['scrollWidth']} px wide in a {found['width']} px window: {culprits}"]


def broken_images(browser: Browser) -> list[str]:
    return [f"broken image: {src}" for src in browser.run(_BROKEN_IMAGES_JS)]


def console_errors(browser: Browser, expected: set[str] = frozenset()) -> list[str]:
    return [f"console error: {message}" for message in browser.console_errors() if message not in expected]


def accessibility(browser: Browser, axe_source: str, skip_rules: tuple[str, ...] = ()) -> list[str]:
    """axe-core's WCAG 2.2 A/AA rules, but those in skip_rules."""
    browser.run(axe_source)
    violations = browser.run_async(_AXE_RUN_JS, AXE_TAGS, list(skip_rules))
    if isinstance(violations, str):
        return [violations]
    problems = []
    for violation in violations:
        nodes = violation["nodes"]
        where = "; ".join(f"{n['target']}: {' '.join(n['summary'].split())}" for n in nodes[:3])
        more = f" (and {len(nodes) - 3} more)" if len(nodes) > 3 else ""
        problems.append(f"axe {violation['id']} ({violation['impact']}): {violation['help']}: {where}{more}")
    return problems


def printable_width(browser: Browser) -> float:
    """The width in CSS px that a page is laid out at on A4, after its @page margins."""
    found = browser.run(_PAGE_MARGINS_JS)
    left = _millimetres(found.get("left")) or DEFAULT_PRINT_MARGIN_MM
    right = _millimetres(found.get("right")) or DEFAULT_PRINT_MARGIN_MM
    return mm_to_css_px(A4_MM[0] - left - right)


def _millimetres(length: str | None) -> float | None:
    match = _LENGTH.match(length or "")
    return float(match.group(1)) * _MM_PER_UNIT[match.group(2)] if match else None


def print_tables(browser: Browser, page_width: float) -> tuple[list[str], list[dict]]:
    """Under print styles at the printable width: cells outside the page or clipped."""
    found = browser.run(_PRINT_TABLES_JS, page_width)
    return [f"print: {p}" for p in found["problems"]], found["tables"]


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each PDF page in the order it was drawn (pdftotext -raw keeps the lines of
    one table cell together), with invisible characters removed."""
    result = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
                            capture_output=True, text=True, check=True)
    return [_INVISIBLE.sub("", page) for page in result.stdout.split("\f")]


def rows_missing_from_pdf(tables: list[dict], pages: list[str]) -> list[str]:
    """The text of every table row must be printed, all of it on one page.

    Each row is a list of the text lines of its cells. Looking for the whole row on one page,
    rather than each line anywhere, keeps a number printed elsewhere from standing in for a
    cut-off cell.
    """
    problems = []
    for table in tables:
        for number, lines in enumerate(table["rows"], start=1):
            wanted = [_INVISIBLE.sub("", line) for line in lines]
            missing_per_page = [[w for w in wanted if w not in page] for page in pages]
            missing = min(missing_per_page, key=len, default=wanted)
            if missing:
                shown = ", ".join(repr(line[:40]) for line in missing[:3])
                problems.append(f"PDF: {table['name']} row {number}: not printed: {shown}")
    return problems
