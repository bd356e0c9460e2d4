"""Helpers for the serve tests: a tiny checkpoint, a server process on a free port, an HTTP client with
timeouts everywhere (no test may hang), answers as rankings, and many clients at once."""
import ast
import csv
import http.client
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time

BIN = os.environ["SIDR_BIN"]
SRC = os.environ["SIDR_SOURCE_DIR"]
DATA = os.path.join(SRC, "data", "Amazon")
DS = "Industrial_and_Scientific"


def make_model(out_dir):
    subprocess.run(["bash", os.path.join(SRC, "tests", "eval", "make_tiny_checkpoint.sh"), out_dir], check=True,
                   timeout=300)


def test_rows(limit):
    path = os.path.join(DATA, "test", f"{DS}_5_2016-10-2018-11.csv")
    with open(path, newline="") as f:
        rows = []
        for row in csv.DictReader(f):
            rows.append({"history_ids": [int(x) for x in ast.literal_eval(row["history_item_id"])],
                         "history_sids": ast.literal_eval(row["history_item_sid"]),
                         "item_sid": row["item_sid"].strip()})
            if len(rows) == limit:
                break
    return rows


def evaluate(model, out, limit, beams, mode="plain", extra=()):
    subprocess.run([BIN, "evaluate", "--model", model, "--data", DATA, "--dataset", DS, "--limit", str(limit),
                    "--beams", str(beams), "--mode", mode, "--out", out, "--with-scores", "--quiet",
                    "--threads", "1", *extra], check=True, timeout=600, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "predictions.json")) as f:
        return json.load(f)


class Server:
    def __init__(self, model, *args, startup_s=120, cmd=None):
        cmd = cmd or [BIN, "serve", "--model", model, "--data", DATA, "--dataset", DS, "--port", "0", "--threads",
                      "1", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + startup_s
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.time()
            if left <= 0 or self.proc.poll() is not None:
                self.kill()
                raise RuntimeError(f"server did not start: {line!r} {self.proc.stderr.read()!r}")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 1)
                if not chunk:
                    continue
                line += chunk
        text = line.decode().strip()
        assert text.startswith("listening on http://"), text
        self.host, port = text[len("listening on http://"):].rsplit(":", 1)
        self.port = int(port)

    def request(self, method, path, body=None, headers=None, timeout=60):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
            elif isinstance(body, str):
                body = body.encode()
            conn.request(method, path, body=body, headers=headers or {"Content-Type": "application/json"})
            res = conn.getresponse()
            return res.status, dict(res.getheaders()), res.read()
        finally:
            conn.close()

    def post(self, path, body, timeout=60):
        status, headers, data = self.request("POST", path, body, timeout=timeout)
        return status, headers, data

    def post_json(self, path, body, timeout=60):
        status, headers, data = self.post(path, body, timeout)
        return status, json.loads(data)

    def terminate(self, timeout=60):
        """SIGTERM; returns the exit code (the process is killed if it does not stop in time)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("server did not stop within %d s of SIGTERM" % timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)


def ranking(answer):
    """A /v1/recommend answer as same_ranking reads it."""
    return {"sids": [i["sid"] for i in answer["items"]], "scores": [i["score"] for i in answer["items"]]}


def reference(pred):
    """One of evaluate's predictions.json entries as same_ranking reads it."""
    return {"sids": pred["predict"], "scores": pred["scores"]}


def run_clients(n, client, timeout=300):
    """client(0), ..., client(n - 1) on n threads at once; every one must end within `timeout` seconds."""
    threads = [threading.Thread(target=client, args=(s,)) for s in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "clients hung"


def same_ranking(ours, ref, tol=1e-3):
    """Our SIDs/scores against evaluate's: the same scores in order; SIDs equal except where two scores tie
    (a tie may order either way), as tests/eval/test_evaluate_cli.sh compares with the HF-style search."""
    assert len(ours["sids"]) == len(ref["sids"]), (ours, ref)
    for i, (a, b) in enumerate(zip(ours["sids"], ref["sids"])):
        assert abs(ours["scores"][i] - ref["scores"][i]) < tol, (i, ours, ref)
        if a != b:
            j = ref["sids"].index(a)
            assert abs(ref["scores"][j] - ours["scores"][i]) < 1e-4, (i, ours, ref)


def fail(message):
    print("FAIL:", message, file=sys.stderr)
    sys.exit(1)
