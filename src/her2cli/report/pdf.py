"""``-o report.pdf``: the HTML page printed to PDF by headless Chromium (the page's print stylesheet decides
the layout: summary and verdict on page one, no table row or picture cut across pages).

Chromium is found on PATH as ``chromium``, ``chromium-browser``, ``google-chrome`` or ``chrome``. It runs
with a fresh profile in a temporary folder, no network features and no sandbox (it runs as the user
that runs ``her2``; the page is our own file, loads nothing and runs no script), and its PDF is moved into
place atomically. Without Chromium the run stops with exit 7 (the output cannot be written) and a line
that says so; ``-o report.html`` then prints from any browser.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from her2cli.errors import OutputError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
PAPERS = {"a4": "A4", "letter": "letter"}
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-pdf-header-footer")
TIMEOUT = 180  # seconds; a page of ours prints in 1-3 s


def find_browser() -> str | None:
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


def paper_css(paper: str) -> str:
    """The ``@page`` size rule for ``paper`` (A4 or Letter, any case)."""
    size = PAPERS.get(str(paper).lower())
    if size is None:
        raise ValueError(f"paper {paper!r}: use A4 or Letter")
    return f"<style>@page {{ size: {size}; }}</style>"


def with_paper(html: str, paper: str) -> str:
    return html.replace("</head>", paper_css(paper) + "</head>", 1)


def print_to_pdf(html: str, path: str, browser: str | None = None) -> str:
    """Print ``html`` to the PDF file ``path`` (atomically); OutputError when no browser or it fails."""
    browser = browser or find_browser()
    if browser is None:
        raise OutputError("cannot write a PDF: headless Chromium is not installed (Debian: apt-get install "
                          "chromium); write .html and print it from a browser instead", path=path)
    from her2cli.io.atomic import atomic_writer

    with tempfile.TemporaryDirectory(prefix="her2-pdf-") as work:
        page, printed = os.path.join(work, "report.html"), os.path.join(work, "report.pdf")
        with open(page, "w", encoding="utf-8") as handle:
            handle.write(html)
        command = [browser, *FLAGS, f"--user-data-dir={os.path.join(work, 'profile')}",
                   f"--print-to-pdf={printed}", "file://" + page]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, cwd=work,
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise OutputError(f"cannot write the PDF: {os.path.basename(browser)} failed ({exc})", path=path) from None
        if not os.path.exists(printed) or os.path.getsize(printed) == 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise OutputError(f"cannot write the PDF: {os.path.basename(browser)} printed nothing "
                              f"(exit {done.returncode}: {last})", path=path)
        with open(printed, "rb") as source, atomic_writer(path, binary=True) as handle:
            shutil.copyfileobj(source, handle)
    return path


def write_pdf_output(text: str, path: str, index: bool) -> list[str]:
    """The file writer of the ``pdf`` format (report/render.FORMATS): ``text`` is the page's HTML."""
    from her2cli.errors import UsageError

    if index:
        raise UsageError("--index goes with a .vcf.gz or .bcf output file")
    if not path or path == "-":
        raise UsageError("a PDF is written to a file: give -o report.pdf")
    return [print_to_pdf(text, path)]
