"""`sidreasoner serve` end to end on a tiny random checkpoint and the shipped dataset:
 - POST /v1/recommend answers equal `evaluate`'s predictions (SIDs and scores) for the same histories, plain and
   think (the thought equals evaluate's "cot"), given as item ids or as SIDs; k, exclude, titles from item.json;
 - many clients at once get the same answers as one at a time, and they were batched (/metrics batch sizes);
 - every 4xx: a JSON reason on one line, the status the API promises;
 - a small fuzz of bodies: never a 5xx, and the server keeps answering;
 - GET /v1/items (brute-force title search), /v1/users, /v1/config, /healthz, /metrics (Prometheus text);
 - 503 with Retry-After above the queue bound; 504 past the request timeout;
 - SIGTERM with a request in flight: it is answered, then the process exits 0.
Chat completions are tested in test_serve_chat.py, the page in test_serve_page.py."""
import atexit
import json
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from serve_util import (DATA, DS, Server, evaluate, make_model, ranking, reference, run_clients,  # noqa: E402
                        same_ranking, test_rows)

ROWS = 8
BEAMS = 4


def check_error(server, body, status, needle, path="/v1/recommend"):
    got, headers, data = server.post(path, body)
    assert got == status, (body if len(str(body)) < 200 else str(body)[:200], got, data[:300])
    reason = json.loads(data)["error"]["message"]
    assert "\n" not in reason and needle in reason, (needle, reason)
    return reason


def main():
    tmp = tempfile.mkdtemp(prefix="serve_api_")
    atexit.register(shutil.rmtree, tmp, True)
    model = os.path.join(tmp, "model")
    make_model(model)
    rows = test_rows(ROWS)
    plain = evaluate(model, os.path.join(tmp, "plain"), ROWS, BEAMS)
    think = evaluate(model, os.path.join(tmp, "think"), 3, BEAMS, "think", ["--think-tokens", "5"])
    index = json.load(open(os.path.join(DATA, "index", f"{DS}.index.json")))
    items = json.load(open(os.path.join(DATA, "index", f"{DS}.item.json")))
    sid_of = {k: "".join(v) for k, v in index.items()}

    server = Server(model, "--beams", str(BEAMS), "--max-batch", "4", "--max-wait-ms", "20", "--max-history", "20",
                    "--max-body-bytes", "8192", "--think-tokens", "5")
    try:
        # --- identical answers to evaluate ---------------------------------------------------------------
        sequential = []
        for row, ref in zip(rows, plain):
            status, ans = server.post_json("/v1/recommend", {"history": row["history_ids"], "k": BEAMS})
            assert status == 200, ans
            same_ranking(ranking(ans), reference(ref))
            assert ans["reasoning"] is None and ans["mode"] == "plain"
            for item in ans["items"]:
                expected_ids = [k for k, s in sid_of.items() if s == item["sid"]]
                assert item["item_ids"] == expected_ids, (item, expected_ids)
                assert item["titles"] == [items[k]["title"] for k in expected_ids], item
            sequential.append(ranking(ans))
        status, by_sid = server.post_json("/v1/recommend", {"history": rows[0]["history_sids"], "k": BEAMS})
        assert status == 200 and ranking(by_sid)["sids"] == sequential[0]["sids"], by_sid
        for row, ref in zip(rows, think):
            status, ans = server.post_json("/v1/recommend", {"history": row["history_ids"], "mode": "think"})
            assert status == 200, ans
            same_ranking(ranking(ans), reference(ref))
            assert ans["reasoning"] == ref["cot"], (ans["reasoning"], ref["cot"])
        print("identical to evaluate: ok")

        # k and exclude
        status, ans = server.post_json("/v1/recommend", {"history": rows[1]["history_ids"], "k": 2})
        assert status == 200 and ranking(ans)["sids"] == sequential[1]["sids"][:2], ans
        first = sequential[1]["sids"][0]
        status, ans = server.post_json("/v1/recommend", {"history": rows[1]["history_ids"], "exclude": [first]})
        assert status == 200 and ranking(ans)["sids"] == sequential[1]["sids"][1:], ans

        # --- concurrency: the same answers, and batched ----------------------------------------------------
        answers, errors = [], []

        def client(seed):
            order = list(range(ROWS))
            random.Random(seed).shuffle(order)
            for i in order:
                status, ans = server.post_json("/v1/recommend", {"history": rows[i]["history_ids"], "k": BEAMS})
                if status != 200:
                    errors.append((status, ans))
                else:
                    answers.append((i, ranking(ans), ans["batch_size"]))

        run_clients(24, client)
        assert not errors, errors[:3]
        assert len(answers) == 24 * ROWS
        for i, got, _ in answers:  # batch-mates change the padding, so equal up to float rounding and ties
            same_ranking(got, sequential[i], tol=1e-4)
        biggest = max(b for _, _, b in answers)
        assert 1 < biggest <= 4, biggest
        metrics = server.request("GET", "/metrics")[2].decode()
        m = re.search(r'sidr_batch_size_bucket\{kind="plain",le="1"\} (\d+)', metrics)
        n = re.search(r'sidr_batch_size_count\{kind="plain"\} (\d+)', metrics)
        assert m and n and int(m.group(1)) < int(n.group(1)), metrics
        print(f"concurrency: {len(answers)} answers equal to sequential ones, batches up to {biggest}: ok")

        # --- every 4xx -----------------------------------------------------------------------------------
        h = rows[0]["history_ids"]
        check_error(server, "{\"history\": [1,", 400, "malformed JSON")
        check_error(server, "", 400, "malformed JSON")
        check_error(server, [1, 2], 400, "JSON object")
        check_error(server, {"k": 3}, 400, "'history' is required")
        check_error(server, {"history": []}, 400, "at least one")
        check_error(server, {"history": "12"}, 400, "expected an array")
        check_error(server, {"history": [99999999]}, 400, "history[0]: item 99999999 is not in the catalog")
        check_error(server, {"history": [h[0], -1]}, 400, "history[1]")
        check_error(server, {"history": ["<|im_end|>"]}, 400, "neither a catalog item id nor a catalog SID")
        check_error(server, {"history": ["<a_9999><b_9999><c_9999>"]}, 400, "neither a catalog item id")
        check_error(server, {"history": [h[0], "<think>"]}, 400, "history[1]")
        check_error(server, {"history": [{"id": 1}]}, 400, "expected an item id or a SID string")
        check_error(server, {"history": [1.5]}, 400, "expected an item id")
        check_error(server, {"history": h, "k": 0}, 400, "field 'k'")
        check_error(server, {"history": h, "k": BEAMS + 1}, 400, "out of range")
        check_error(server, {"history": h, "k": "5"}, 400, "field 'k'")
        check_error(server, '{"history": [%d], "k": 99999999999999999999999}' % h[0], 400, "field 'k'")
        check_error(server, '{"history": [%d], "k": 18446744073709551615}' % h[0], 400, "out of range")
        check_error(server, '{"history": [%d], "k": 1e400}' % h[0], 400, "malformed JSON")
        check_error(server, {"history": h, "mode": "fast"}, 400, "field 'mode'")
        check_error(server, {"history": h, "histroy": h}, 400, "unknown field \"histroy\"")
        check_error(server, {"history": h, "exclude": [12345678]}, 400, "exclude[0]")
        check_error(server, b'{"history": ["\xff\xfe"]}', 400, "malformed JSON")
        check_error(server, {"history": [h[0]] * 21}, 413, "the limit is 20")
        check_error(server, {"history": [h[0]] * 3000}, 413, "byte limit")
        status, _, data = server.request("GET", "/nope")
        assert status == 404 and "no such route" in json.loads(data)["error"]["message"], data
        status, _, data = server.request("GET", "/v1/items?q=a&limit=ten")
        assert status == 400 and "limit" in json.loads(data)["error"]["message"], data
        print("4xx: ok")

        # --- fuzz --------------------------------------------------------------------------------------------
        rng = random.Random(7)
        valid = json.dumps({"history": h, "k": 3, "mode": "plain"}).encode()
        bodies = [b"[" * 4000 + b"]" * 4000, b"{\"history\":" + b"[" * 4000 + b"]" * 4000 + b"}",
                  b'{"history": [1e999999]}', b'{"history": [-0.0]}', b'{"history": [123456789012345678901234567890]}',
                  b'{"history": ["' + "é".encode("latin-1") + b'"]}', b"\x00" * 100, b'{"history": [1], "k": null}']
        for _ in range(250):
            kind = rng.random()
            if kind < 0.3:
                bodies.append(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))))
            else:  # a valid body with a few bytes changed, dropped or doubled
                b = bytearray(valid)
                for _ in range(rng.randrange(1, 4)):
                    p = rng.randrange(len(b))
                    op = rng.random()
                    if op < 0.5:
                        b[p] = rng.randrange(256)
                    elif op < 0.75:
                        del b[p]
                    else:
                        b[p:p] = b[p:p + 3]
                bodies.append(bytes(b))
        statuses = {}
        for body in bodies:
            status, _, data = server.post("/v1/recommend", body)
            statuses[status] = statuses.get(status, 0) + 1
            assert status in (200, 400, 413), (body[:80], status, data[:200])
            if status != 200:
                assert "\n" not in json.loads(data)["error"]["message"].strip()
        status, _, data = server.request("GET", "/healthz")
        assert status == 200 and json.loads(data)["status"] == "ok"
        print("fuzz: ok", statuses)

        # --- the options the answers depend on (GET /v1/config): as given, and nothing about transport ----------
        status, _, data = server.request("GET", "/v1/config")
        config = json.loads(data)
        assert status == 200 and config["model"] == os.path.normpath(model), config
        o = config["options"]
        assert o["beams"] == BEAMS and o["think_tokens"] == 5 and o["style"] == "reference", o
        assert o["data"].endswith("data/Amazon") and o["dataset"] == "Industrial_and_Scientific", o
        assert {"sasrec_weight", "ensemble", "device", "dtype", "threads"} <= set(o), o
        assert not {"port", "host", "max_batch", "max_wait_ms", "max_history", "timeout_ms"} & set(o), o

        # --- items, users, metrics ----------------------------------------------------------------------------
        word = items[next(iter(index))]["title"].split()[0]
        status, _, data = server.request("GET", "/v1/items?q=" + word.lower() + "&limit=100")
        found = [i["item_id"] for i in json.loads(data)["items"]]
        truth = [k for k in index if word.lower() in items[k]["title"].lower()][:100]
        assert status == 200 and found == truth, (word, found[:5], truth[:5])
        status, _, data = server.request("GET", "/v1/users?offset=2&limit=3")
        users = json.loads(data)["users"]
        assert status == 200 and [u["row"] for u in users] == [2, 3, 4]
        assert [int(x["item_id"]) for x in users[0]["history"]] == rows[2]["history_ids"]
        metrics = server.request("GET", "/metrics")[2].decode()
        for line in metrics.splitlines():
            assert line.startswith("#") or re.fullmatch(r'[a-z_]+(\{[^}]*\})? [0-9.e+-]+', line), line
        assert re.search(r'sidr_requests_total\{route="/v1/recommend",status="400"\} [1-9]', metrics)
        assert re.search(r'sidr_errors_total\{route="/v1/recommend"\} [1-9]', metrics)
        assert "sidr_request_seconds_bucket" in metrics and "sidr_queue_depth 0" in metrics
        print("items, users, metrics: ok")
    finally:
        server.kill()

    # --- 503 above the queue bound, 504 past the timeout, SIGTERM with a request in flight ---------------------
    slow = Server(model, "--beams", str(BEAMS), "--max-batch", "1", "--max-queue", "1", "--think-tokens", "300")
    try:
        body = {"history": rows[0]["history_ids"], "mode": "think"}
        status, ans = slow.post_json("/v1/recommend", body)
        assert status == 200, ans
        assert ans["elapsed_ms"] > 20, ans["elapsed_ms"]  # what the 504 case below relies on
        results = []

        def ask():
            status, headers, data = slow.post("/v1/recommend", body)
            results.append((status, headers.get("Retry-After"), data))

        run_clients(12, lambda _: ask())
        codes = sorted(r[0] for r in results)
        assert set(codes) <= {200, 503} and 200 in codes and 503 in codes, codes
        for status, retry, data in results:
            if status == 503:
                assert retry == "1" and "queue full" in json.loads(data)["error"]["message"], (retry, data)
        print("503: ok", codes)

        in_flight = []
        t = threading.Thread(target=lambda: in_flight.append(slow.post_json("/v1/recommend", body)))
        t.start()
        deadline = time.time() + 30
        while time.time() < deadline:
            if "sidr_in_flight 1" in slow.request("GET", "/metrics")[2].decode():
                break
            time.sleep(0.002)
        else:
            raise AssertionError("the request never got in flight")
        code = slow.terminate()
        t.join(timeout=60)
        assert code == 0, code
        assert in_flight and in_flight[0][0] == 200 and in_flight[0][1]["items"], in_flight
        print("SIGTERM: in-flight request answered, exit 0: ok")
    finally:
        slow.kill()

    quick = Server(model, "--beams", str(BEAMS), "--timeout-ms", "5", "--think-tokens", "300")
    try:
        check_error(quick, {"history": rows[0]["history_ids"], "mode": "think"}, 504, "request timeout")
        status, _, data = quick.request("GET", "/healthz")
        assert status == 200
        print("504: ok")
    finally:
        quick.kill()
    print("all ok")


if __name__ == "__main__":
    main()
