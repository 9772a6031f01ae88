"""Executes examples/quickstart.ipynb against $FITCHECK_URL, exports it to HTML and checks the report shows.

    run_notebook.py OUT_DIR [--screenshot PNG]

The HTML goes to OUT_DIR/quickstart.html; with --screenshot, headless chromium renders it to PNG.
Exits non-zero when a cell fails or the rendered reports are missing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(HERE), "examples")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("--screenshot")
    args = parser.parse_args()
    if not os.environ.get("FITCHECK_URL"):
        print("run_notebook.py: FITCHECK_URL is not set", file=sys.stderr)
        return 2
    path = os.path.join(EXAMPLES, "quickstart.ipynb")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": EXAMPLES}}).execute()  # raises on a failing cell
    body, _ = HTMLExporter().from_notebook_node(nb)
    html_path = os.path.join(args.out_dir, "quickstart.html")
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(body)
    missing = [text for text in ('class="fitcheck-verdict fitcheck-verdict-fail"',
                                 'class="fitcheck-verdict fitcheck-verdict-pass"',
                                 "INPUT_RANK_MISMATCH", "LABEL_OUT_OF_RANGE", "x = x.reshape(-1, 28, 28, 1)",
                                 "Layer (type)", "/#/reports/") if text not in body]
    if missing:
        print("run_notebook.py: the exported notebook lacks %s" % missing, file=sys.stderr)
        return 1
    print("notebook: executed, %d cells, HTML %d bytes, verdict badges present" % (len(nb.cells), len(body)))
    if args.screenshot:
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium is None:
            print("run_notebook.py: no chromium for the screenshot", file=sys.stderr)
            return 1
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--screenshot=" + os.path.abspath(args.screenshot), "--window-size=1200,1600",
                        "file://" + os.path.abspath(html_path)],
                       check=True, timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print("notebook: screenshot written to %s" % args.screenshot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
