"""The web page at "/" in a real browser: headless Chromium (Debian's), driven over the DevTools protocol on a
pipe (--remote-debugging-pipe: stdlib only, no websocket library). The test picks a test user, searches the
catalog and adds an item to the history, asks (plain, then think), and checks the rendered titles, scores and
reasoning against the API's answer for the same history. A screenshot is kept as an artifact
($SIDR_ARTIFACT_DIR, default ./test-artifacts). Skips (77) without Chromium; every wait has a timeout."""
import base64
import atexit
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from serve_util import Server, make_model  # noqa: E402


class Browser:
    def __init__(self, exe, profile):
        r_cmd, w_cmd = os.pipe()   # we write commands, Chromium reads them on fd 3
        r_evt, w_evt = os.pipe()   # Chromium writes answers and events on fd 4
        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
             "--window-size=1200,1400", f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(3, 4), preexec_fn=lambda: (os.dup2(r_cmd, 3), os.dup2(w_evt, 4)),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(r_cmd)
        os.close(w_evt)
        self.out, self.inp = w_cmd, r_evt
        self.buffer = b""
        self.next_id = 0
        self.session = None

    def call(self, method, params=None, timeout=30, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.out, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self.next_id:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return reply["result"]
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError(f"{method}: no answer in {timeout} s")
            ready, _, _ = select.select([self.inp], [], [], left)
            if ready:
                chunk = os.read(self.inp, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the pipe")
                self.buffer += chunk

    def open(self, url):
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        self.call("Page.enable")
        self.call("Page.navigate", {"url": url})

    def js(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=60):
        deadline = time.time() + timeout
        guarded = f"(() => {{ try {{ return !!({expression}); }} catch (e) {{ return false; }} }})()"
        while time.time() < deadline:  # false (not an error) while the page is still loading
            if self.js(guarded):
                return
            time.sleep(0.05)
        raise TimeoutError(f"never true: {expression}")

    def click(self, selector):
        """A real mouse click (pressed and released) at the centre of the element."""
        box = self.js(f"(() => {{ const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
                      f" return [r.left + r.width / 2, r.top + r.height / 2]; }})()")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left",
                                                   "clickCount": 1})

    def type_into(self, selector, text):
        self.click(selector)
        self.call("Input.insertText", {"text": text})

    def close(self):
        try:
            self.call("Browser.close", session=False, timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=20)


def main():
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not exe:
        print("SKIP: no chromium on PATH")
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix="serve_page_")
    atexit.register(shutil.rmtree, tmp, True)
    model = os.path.join(tmp, "model")
    make_model(model)
    server = Server(model, "--beams", "4", "--think-tokens", "8")
    browser = Browser(exe, os.path.join(tmp, "profile"))
    try:
        browser.open(f"http://{server.host}:{server.port}/")
        browser.wait_for("document.body.dataset.ready === '1'")
        # A test user's history ...
        browser.js("(() => { const s = document.getElementById('users'); s.value = '1';"
                   " s.dispatchEvent(new Event('change')); })()")
        browser.click("#use-user")
        browser.wait_for("document.querySelectorAll('#history li').length > 0")
        users = json.loads(server.request("GET", "/v1/users?limit=50")[2])["users"]
        history = [int(i["item_id"]) for i in users[1]["history"]]
        shown = browser.js("[...document.querySelectorAll('#history li')].map(li => Number(li.dataset.itemId))")
        assert shown == history, (shown, history)
        # ... plus an item found by title search.
        word = users[0]["history"][0]["title"].split()[0]
        browser.type_into("#query", word)
        browser.click("#search")
        browser.wait_for("document.querySelectorAll('#search-results li button').length > 0")
        found = json.loads(server.request("GET", "/v1/items?q=" + word + "&limit=20")[2])["items"]
        browser.click("#search-results li button")
        history.append(int(found[0]["item_id"]))
        shown = browser.js("[...document.querySelectorAll('#history li')].map(li => Number(li.dataset.itemId))")
        assert shown == history, (shown, history)
        browser.js("document.getElementById('k').value = '4'")

        for n, mode in enumerate(["plain", "think"], start=1):
            browser.js(f"document.getElementById('mode').value = '{mode}'")
            browser.click("#recommend")
            browser.wait_for(f"document.body.dataset.answered === '{n}'", timeout=120)
            rendered = browser.js("[...document.querySelectorAll('#results li.rec')].map(li => ["
                                  "li.querySelector('.title').textContent, li.querySelector('.score').textContent,"
                                  " li.dataset.sid])")
            status, api = server.post_json("/v1/recommend", {"history": history, "k": 4, "mode": mode})
            assert status == 200, api
            expected = [[" / ".join(i["titles"]), f"{i['score']:.4f}", i["sid"]] for i in api["items"]]
            assert rendered == expected, (mode, rendered, expected)
            assert browser.js("document.getElementById('status').textContent") == ""
            if mode == "think":
                shown = browser.js("document.getElementById('reasoning').textContent")
                assert shown == (api["reasoning"] or "(empty thought)"), (shown, api["reasoning"])
                assert browser.js("document.getElementById('reasoning-box').hidden") is False
            print(f"{mode}: {len(rendered)} rendered recommendations equal the API's: ok")

        out_dir = os.environ.get("SIDR_ARTIFACT_DIR") or os.path.join(os.getcwd(), "test-artifacts")
        os.makedirs(out_dir, exist_ok=True)
        png = base64.b64decode(browser.call("Page.captureScreenshot", {"format": "png"})["data"])
        assert png.startswith(b"\x89PNG") and len(png) > 1000
        path = os.path.join(out_dir, "serve_page.png")
        with open(path + ".tmp", "wb") as f:
            f.write(png)
        os.replace(path + ".tmp", path)
        print("screenshot:", path)
    finally:
        browser.close()
        server.kill()
    print("all ok")


if __name__ == "__main__":
    main()
