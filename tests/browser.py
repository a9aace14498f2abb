"""Headless Chromium driven over the DevTools protocol on a pipe (no network).

``Browser(url)`` starts Debian's ``chromium`` with ``--remote-debugging-pipe``
(commands on file descriptor 3, replies on 4, each message ending in a NUL
byte), opens ``url`` and lets a test evaluate JavaScript in the page, so it
reads the page as rendered and follows its links with the browser itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import tempfile
import time
from typing import Any

from office import need

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--allow-file-access-from-files",  # the page's links are read by the page
    "--remote-debugging-pipe",
]


class Browser:
    """One headless Chromium showing one page."""

    def __init__(self, url: str, timeout: float = 60.0) -> None:
        exe = need("chromium")
        self.timeout = timeout
        self.profile = tempfile.TemporaryDirectory(prefix="chromium-")
        cmd_r, self._cmd_w = os.pipe()
        self._res_r, res_w = os.pipe()

        def wire() -> None:  # in the child: fd 3 reads commands, fd 4 replies
            os.dup2(cmd_r, 3)
            os.dup2(res_w, 4)

        self.proc = subprocess.Popen(
            [exe, *FLAGS, f"--user-data-dir={self.profile.name}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire,
            pass_fds=(3, 4),
        )
        os.close(cmd_r)
        os.close(res_w)
        self._id = 0
        self._buf = b""
        self.url = url
        self.session = self._attach("about:blank")
        self.send("Page.navigate", {"url": url}, self.session)

    # -- protocol -----------------------------------------------------------

    def send(self, method: str, params: dict | None = None, session: str = "") -> Any:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._res_r], [], [], left)[0]:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._res_r, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def _attach(self, url: str) -> str:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            targets = self.send("Target.getTargets")["targetInfos"]
            pages = [t for t in targets if t["type"] == "page" and t["url"] == url]
            if pages:
                target = pages[0]["targetId"]
                reply = self.send(
                    "Target.attachToTarget", {"targetId": target, "flatten": True}
                )
                return str(reply["sessionId"])
            time.sleep(0.1)
        raise TimeoutError(f"no page for {url}")

    # -- page ---------------------------------------------------------------

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (awaited) in the page."""
        reply = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            self.session,
        )
        if "exceptionDetails" in reply:
            raise RuntimeError(reply["exceptionDetails"])
        return reply["result"].get("value")

    def loaded(self) -> None:
        """Wait until the page (not the blank one before it) and its images loaded."""
        ready = (
            f"location.href === {json.dumps(self.url)}"
            " && document.readyState === 'complete'"
        )
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                if self.evaluate(ready):
                    return
            except RuntimeError:  # the blank page's context went with it
                pass
            time.sleep(0.05)
        raise TimeoutError(f"{self.url} did not load")

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._cmd_w)
        os.close(self._res_r)
        self.profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
