"""The SEM notebook as a user sees it: JupyterLab in headless Chromium
(Debian's /usr/bin/chromium driven by Playwright), notebook 06 opened from a
temporary copy with its outputs cleared, Run ▸ Run All Cells (the
`runmenu:run-all` command) clicked in the menu, and the path diagram checked
on the page. A screenshot is kept in tests/e2e/artifacts/06-sem.png.

Needs scripts/setup-e2e (JupyterLab, Playwright, chromium) and the kernel
installed in .venv (scripts/test-all does both).
"""
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
NOTEBOOK = "06-sem.ipynb"
OUTCOME = "Contracting criteria"
# The first kernel start on a machine compiles `analysis` (minutes).
RUN_TIMEOUT_MS = 30 * 60 * 1000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def without_outputs(path, dest):
    """A copy of the notebook with no stored outputs, so that what the test
    finds on the page can only come from running it."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    dest.write_text(json.dumps(nb, indent=1))


@pytest.fixture
def jupyterlab(tmp_path):
    work = tmp_path / "notebooks"
    work.mkdir()
    for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        without_outputs(p, work / p.name)
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    # Settings and workspaces of this run only: no state from a user's lab.
    env["JUPYTERLAB_SETTINGS_DIR"] = str(tmp_path / "settings")
    # No "official Jupyter news?" toast over the page.
    notification = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(tmp_path / "workspaces")
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    log = open(tmp_path / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jupyter"),
            "lab",
            "--no-browser",
            # CI containers run as root; the server listens on localhost only.
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--ServerApp.token={token}",
            f"--ServerApp.root_dir={work}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "jupyter lab did not start:\n" + (tmp_path / "jupyterlab.log").read_text()
                    )
                time.sleep(0.5)
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (scripts/setup-e2e)")
def test_sem_notebook_runs_in_jupyterlab_and_shows_the_path_diagram(jupyterlab):
    from playwright.sync_api import sync_playwright

    url, token = jupyterlab
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{url}/lab/tree/{NOTEBOOK}?token={token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Notebook", timeout=120_000)
            # The kernel is named in the toolbar once the session has started.
            page.wait_for_selector(
                ".jp-NotebookPanel-toolbar :text('Rust (paraclinic)')", timeout=120_000
            )
            assert page.locator(".jp-OutputArea-output svg").count() == 0

            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

            # Every code cell has run: no prompt is "[*]" or empty any more.
            page.wait_for_function(
                """() => {
                    const prompts = [...document.querySelectorAll(
                        '.jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt')];
                    return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
                }""",
                timeout=RUN_TIMEOUT_MS,
            )
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            error_texts = [t for t in errors.all_inner_texts() if "error" in t.lower()]
            assert not error_texts, error_texts

            # JupyterLab shows an image/svg+xml output as an <img> with a data
            # URL, and SVG inside an HTML output inline: accept either.
            diagram_handle = page.wait_for_function(
                """(outcome) => {
                    const outputs = document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output');
                    for (const out of outputs) {
                        for (const svg of out.querySelectorAll('svg')) {
                            if (svg.textContent.includes(outcome)) return svg;
                        }
                        for (const img of out.querySelectorAll('img')) {
                            const src = decodeURIComponent(img.getAttribute('src') || '');
                            if (src.startsWith('data:image/svg+xml') && src.includes(outcome)) return img;
                        }
                    }
                    return null;
                }""",
                arg=OUTCOME,
                timeout=60_000,
            )
            diagram = diagram_handle.as_element()
            assert diagram is not None
            svg = diagram.evaluate(
                "e => e.tagName.toLowerCase() === 'img' ? decodeURIComponent(e.src) : e.outerHTML"
            )
            assert "Demographic" in svg and "External" in svg, "the diagram names the dimensions"
            box = diagram.bounding_box()
            assert box and box["width"] > 300 and box["height"] > 200, box
            # Dismiss JupyterLab's "official news?" notification if it shows.
            no_news = page.locator(".Toastify button", has_text="No")
            if no_news.count():
                no_news.first.click()
            diagram.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            page.screenshot(path=str(ARTIFACTS / "06-sem.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "06-sem-failure.png"))
            raise
        finally:
            browser.close()
