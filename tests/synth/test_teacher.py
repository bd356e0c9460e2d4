#!/usr/bin/env python3
"""`synthesize --teacher-url` against a fake OpenAI-compatible endpoint on 127.0.0.1 (started here). The n-th
distinct request gets behaviour n % 5: a good answer; a slow one (past the client's timeout) then good; HTTP 500
then good; malformed JSON then good; leaking text every time (the reply names a SID the index does not have).
Checked: the command succeeds, every row and item is written, no leaking text is written, the printed counts
equal the server's own log, at most --teacher-concurrency requests are in flight, and a second run with the
cache (plus a torn last line) repeats no accepted call and writes the same accepted texts."""
import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BIN = os.environ["SIDR_BIN"]
DATA = os.environ["SIDR_SOURCE_DIR"] + "/tests/fixtures/tasks/Amazon"
CAT = "Office_Products"
LEAK_SID = "<a_200><b_200><c_200>"
GOOD, SLOW, HTTP500, MALFORMED, LEAK = range(5)


class Fake:
    def __init__(self, all_good=False):
        self.lock = threading.Lock()
        self.modes = {}       # body hash -> behaviour
        self.attempts = {}    # body hash -> attempts seen
        self.log = []         # (hash, attempt, outcome)
        self.in_flight = 0
        self.max_in_flight = 0
        self.all_good = all_good


def reply_text(user):
    if "Give a comprehensive analysis" in user:
        return "A useful product for an office."
    m = re.search(r"must use its identifier (\S+) and never", user)
    if m:
        return f"{m.group(1)} is a dependable choice. {m.group(1)} works well."
    m = re.search(r"ends by naming my next purchase (\S+?)\.", user)
    if m:
        return f"I bought these things, and I thought about them. Then I chose {m.group(1)}"
    return "I think my needs stay steady."


def make_handler(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, code, body):
            data = body.encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path != "/v1/chat/completions":
                return self.send(404, "{}")
            key = hashlib.md5(body).hexdigest()
            with fake.lock:
                if key not in fake.modes:
                    fake.modes[key] = GOOD if fake.all_good else len(fake.modes) % 5
                attempt = fake.attempts.get(key, 0)
                fake.attempts[key] = attempt + 1
                mode = fake.modes[key]
                fake.in_flight += 1
                fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
            user = json.loads(body)["messages"][1]["content"]
            content = reply_text(user)
            outcome = "good"
            if mode == SLOW and attempt == 0:
                outcome = "slow"
            elif mode == HTTP500 and attempt == 0:
                outcome = "500"
            elif mode == MALFORMED and attempt == 0:
                outcome = "malformed"
            elif mode == LEAK:
                content = f"{content} {LEAK_SID}"
                outcome = "leak"
            with fake.lock:  # logged on arrival: a slow answer may still be asleep when the run ends
                fake.log.append((key, attempt, outcome, user))
                # A slow request leaves the count at once: the client gives up on it after its timeout and
                # may send the next while this one still sleeps, so only answered requests are bounded.
                if outcome == "slow":
                    fake.in_flight -= 1
            if outcome == "slow":
                time.sleep(1.6)
                return self.send(200, "{}")
            with fake.lock:
                fake.in_flight -= 1
            if outcome == "500":
                return self.send(500, '{"error": "boom"}')
            if outcome == "malformed":
                return self.send(200, '{"choices": [{"message": {"content": ')
            self.send(200, json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}))

    return Handler


def serve(fake):
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(out, port, cache):
    cmd = [BIN, "synthesize", "--data", DATA, "--dataset", CAT, "--out", out, "--teacher-url",
           f"http://127.0.0.1:{port}", "--teacher-concurrency", "3", "--teacher-timeout", "0.8",
           "--teacher-retries", "2", "--teacher-backoff", "0.05", "--teacher-cache", cache]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        sys.exit(f"FAIL synthesize exited {r.returncode}: {r.stderr.strip()}")
    print(r.stdout, end="")
    m = re.search(r"teacher: (\d+) texts asked, (\d+) from the cache, (\d+) calls \((\d+) retries\), (\d+) transport "
                  r"errors, (\d+) HTTP errors, (\d+) malformed, (\d+) rejected \(leaks\), (\d+) accepted, (\d+) "
                  r"replaced", r.stdout)
    if not m:
        sys.exit("FAIL no teacher summary line")
    names = ["asked", "cached", "calls", "retries", "transport", "http", "malformed", "rejected", "accepted",
             "replaced"]
    return dict(zip(names, map(int, m.groups())))


def written(out):
    rows = list(csv.DictReader(open(f"{out}/index/{CAT}.integrated_narrative.csv", encoding="utf-8", newline="")))
    items = json.load(open(f"{out}/index/{CAT}.item_enhanced_v2.json", encoding="utf-8"))
    return rows, items


def expect(what, got, want):
    if got != want:
        sys.exit(f"FAIL {what}: got {got}, expected {want}")
    print(f"ok   {what} = {got}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        cache = f"{tmp}/cache.jsonl"
        fake = Fake()
        server = serve(fake)
        s = run(f"{tmp}/one", server.server_address[1], cache)
        server.shutdown()
        log = fake.log
        bodies = {k for k, _, _, _ in log}
        outcome = lambda o: sum(1 for _, _, x, _ in log if x == o)
        leak_bodies = {k for k in bodies if fake.modes[k] == LEAK}
        # Identical requests (two rows with the same history and target) are asked twice: the second is a cache
        # hit, or a second call when both are in flight at once.
        expect("calls", s["calls"], len(log))
        expect("texts asked = accepted + replaced", s["asked"], s["accepted"] + s["replaced"])
        expect("retries", s["retries"], s["calls"] - (s["asked"] - s["cached"]))
        expect("transport errors (timeouts)", s["transport"], outcome("slow"))
        expect("HTTP errors", s["http"], outcome("500"))
        expect("malformed", s["malformed"], outcome("malformed"))
        expect("rejected leaks", s["rejected"], outcome("leak"))
        expect("replaced by offline text = leaking requests", s["replaced"], outcome("leak") // 3)
        expect("every leaking text asked 3 times each", {fake.attempts[k] % 3 for k in leak_bodies}, {0})
        if s["accepted"] < len(bodies - leak_bodies) or s["asked"] < len(bodies):
            sys.exit(f"FAIL fewer accepted/asked than distinct requests: {s}")
        for mode in (SLOW, HTTP500, MALFORMED):
            if not any(fake.modes[k] == mode for k in bodies):
                sys.exit(f"FAIL behaviour {mode} never exercised")
        if fake.max_in_flight > 3:
            sys.exit(f"FAIL {fake.max_in_flight} requests in flight, --teacher-concurrency is 3")
        print(f"ok   at most {fake.max_in_flight} requests in flight")

        rows, items = written(f"{tmp}/one")
        expect("rows written", len(rows), 5)
        expect("items written", len(items), 5)
        text = json.dumps(rows) + json.dumps(items)
        if LEAK_SID in text:
            sys.exit("FAIL a leaking reply was written")
        teacher_rows = sum("I think my needs stay steady." == r["reasoning_path"] for r in rows)
        teacher_items = sum("is a dependable choice" in v["llm_stage2"] for v in items.values())
        if teacher_rows == 0 or teacher_items == 0:
            sys.exit("FAIL no teacher text was written")
        print(f"ok   {teacher_rows} teacher reasonings and {teacher_items} teacher paragraphs written")

        # Resume: the same cache (with a torn last line, as a killed run leaves it), a server that answers well.
        with open(cache, "a") as f:
            f.write('{"key": "0123')
        fake2 = Fake(all_good=True)
        server = serve(fake2)
        s2 = run(f"{tmp}/two", server.server_address[1], cache)
        server.shutdown()
        repeated = {k for k, _, _, _ in fake2.log} & (bodies - leak_bodies)
        expect("accepted calls repeated on resume", len(repeated), 0)
        # At least every text accepted before; more when a repeated request, asked again now, is answered by
        # its twin's fresh reply.
        if s2["cached"] < s["accepted"]:
            sys.exit(f"FAIL {s2['cached']} cache hits on resume, {s['accepted']} texts were accepted before")
        print(f"ok   {s2['cached']} answered from the cache on resume ({s['accepted']} accepted before)")
        expect("resume: asked = cache hits + calls", s2["asked"], s2["cached"] + s2["calls"])
        expect("replaced on resume", s2["replaced"], 0)
        rows2, items2 = written(f"{tmp}/two")
        for a, b in zip(rows, rows2):
            if a["reasoning_path"] == "I think my needs stay steady." and a != b:
                sys.exit("FAIL a teacher-written row changed on resume")
        print("ok   resume keeps every accepted text")


if __name__ == "__main__":
    main()
