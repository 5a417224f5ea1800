"""Writes a small workspace that shows every built-in theme in one language.

The demo workspace shows two customised themes; this one puts a reseller on each plain
built-in theme (default, ledger, harbor), all in the given language, and reuses the last
months of the demo's reports so the build stays fast. Running it once per language shows every
theme in both languages. Every reseller gets a client with SMTP TLS data, so every page type
exists in every theme.
"""

import argparse
import re
import shutil
import sys
from pathlib import Path

MONTH = re.compile(r"\d{4}-\d{2}")
BUILTIN_THEMES = ("default", "ledger", "harbor")

# The demo's domains, split so that each theme's reseller has a client with TLS reports
# (contoso.*, fabrikam.example and northwind.co.jp have them) and no domain is left unowned.
RESELLER_NAME = {"en": "{theme} Reports", "ja": "{theme} メールセキュリティレポート"}

CLIENTS_BY_THEME = {
    "default": [("contoso", "Contoso Ltd", ["contoso.example", "contoso.co.jp"])],
    "ledger": [("fabrikam", "Fabrikam Inc.", ["fabrikam.example", "fabrikam-shop.example"])],
    "harbor": [
        ("northwind", "Northwind Traders 株式会社", ["northwind.co.jp", "northwind.example"]),
        ("contoso-care", "Contoso Care", ["care.contoso-health.example"]),
    ],
}


def config_text(locale: str) -> str:
    lines = [
        "# Written by Tests/Browser/theme_workspace.py: every built-in theme in one language.",
        "resellers:",
    ]
    for theme in BUILTIN_THEMES:
        reseller = f"{theme}-{locale}"
        lines += [
            f"  - id: {reseller}",
            f"    name: {RESELLER_NAME[locale].format(theme=theme.capitalize())}",
            f"    theme: {theme}",
            f"    base_url: https://{reseller}.reports.example/",
            f"    locale: {locale}",
            "    clients:",
        ]
        for client_id, name, domains in CLIENTS_BY_THEME[theme]:
            lines += [
                f"      - id: {client_id}",
                f'        name: "{name}"',
                f"        domains: [{', '.join(domains)}]",
            ]
    return "\n".join(lines) + "\n"


def latest_months(source: Path, count: int) -> list[str]:
    """The newest `count` YYYY-MM folder names found under any reporter folder."""
    months = {p.name for p in source.glob("*/*") if p.is_dir() and MONTH.fullmatch(p.name)}
    return sorted(months)[-count:]


def copy_recent_reports(source: Path, target: Path, months: list[str]) -> int:
    """Copies the <reporter>/<month>/ folders of the demo's reports for the given months."""
    copied = 0
    for reporter in sorted(p for p in source.iterdir() if p.is_dir()):
        for month in months:
            folder = reporter / month
            if folder.is_dir():
                shutil.copytree(folder, target / reporter.name / month)
                copied += sum(1 for f in folder.rglob("*") if f.is_file())
    return copied


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=Path, required=True, help="the demo's reports folder")
    parser.add_argument("--out", type=Path, required=True, help="workspace folder to write")
    parser.add_argument("--locale", choices=["en", "ja"], required=True)
    parser.add_argument("--months", type=int, default=2, help="how many of the newest months to copy")
    args = parser.parse_args()

    if args.out.exists():
        shutil.rmtree(args.out)
    (args.out / "reports").mkdir(parents=True)
    (args.out / "sitegen.yml").write_text(config_text(args.locale), encoding="utf-8")
    months = latest_months(args.reports, args.months)
    copied = copy_recent_reports(args.reports, args.out / "reports", months)
    if copied == 0:
        print(f"theme_workspace: no <reporter>/YYYY-MM folders in {args.reports}", file=sys.stderr)
        return 1
    print(f"theme_workspace: {args.out} ({args.locale}): {copied} report files of {', '.join(months)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
