"""What a flood of uploads through one session holds in the server's memory (issue 22's upload parking).

    python bench/upload_flood.py             # 40 files of 9.5 MB, PUT under made-up file ids
    python bench/upload_flood.py --files 10

A real server and Chromium: the page uploads one small image (which tells the session's id and its XSRF cookie),
then the files are PUT past the browser, as a hostile student would; after them, the bytes Streamlit's upload
manager holds as its own metrics endpoint reports them. The last line is JSON.
"""
from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from pathlib import Path

from dashboard_server import CHROMIUM, CHROMIUM_ARGS, running_dashboard


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--files", type=int, default=40)
    p.add_argument("--mb", type=float, default=9.5)
    args = p.parse_args()
    from PIL import Image
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, running_dashboard(env={"LENET_MODELS_DIR": tmp}) as url, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url + "/?src=upload")
        page.get_by_text("A photo of a garment").wait_for(timeout=120_000)
        Image.new("L", (28, 28), 128).save(Path(tmp) / "grey.png")
        with page.expect_request(lambda r: "/_stcore/upload_file/" in r.url and r.method == "PUT") as request:
            page.locator("input[type=file]").set_input_files(str(Path(tmp) / "grey.png"))
        session = request.value.url.split("/upload_file/")[1].split("/")[0]
        xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_streamlit_xsrf")
        start = time.perf_counter()
        for k in range(args.files):
            page.request.put(f"{url}/_stcore/upload_file/{session}/parked-{k}", headers={"X-Xsrftoken": xsrf},
                             multipart={"file": {"name": f"x{k}.bin", "mimeType": "application/octet-stream",
                                                 "buffer": bytes(int(args.mb * 2**20))}})
        seconds = time.perf_counter() - start
        time.sleep(2)  # (Streamlit's metrics cache the memory figures for a moment)
        text = page.request.get(url + "/_stcore/metrics").text()
        held = sum(float(v) for v in re.findall(
            r'cache_memory_bytes\{cache_type="UploadedFileManager"[^}]*\} (\S+)', text)) / 2**20
        browser.close()
    print(f"{args.files} files of {args.mb} MB sent in {seconds:.1f} s; the server holds {held:.1f} MB of uploads")
    print(json.dumps({"files": args.files, "mb_each": args.mb, "held_mb": round(held, 1)}))


if __name__ == "__main__":
    main()
