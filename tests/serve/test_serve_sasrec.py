"""`sidreasoner serve --sasrec`: a tiny random checkpoint with a briefly trained SASRec's item distribution fused
into the SID search (the cpu preset's product of experts, and the mean mix), against `evaluate` with the same
options:
 - plain and think answers equal evaluate's predictions (SIDs and scores; think's thought equals its "cot");
 - concurrent clients (batches of up to 4, the prior's per-prompt histories forgotten after each batch) get the
   sequential answers again, twice over, so nothing of one batch leaks into the next;
 - a served answer differs from the language model's alone (the prior is really applied);
 - chat completions answer 501 (the prior only scores SID searches)."""
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from serve_util import (BIN, DATA, DS, Server, evaluate, make_model, ranking, reference, run_clients,  # noqa: E402
                        same_ranking, test_rows)

ROWS = 8
BEAMS = 4


def check_mix(model, sasrec, tmp, rows, mix, weight, alone):
    fusion = ["--sasrec", sasrec, "--sasrec-mix", mix, "--sasrec-weight", str(weight)]
    plain = evaluate(model, os.path.join(tmp, f"plain-{mix}"), ROWS, BEAMS, extra=fusion)
    think = evaluate(model, os.path.join(tmp, f"think-{mix}"), 3, BEAMS, "think", ["--think-tokens", "5", *fusion])
    server = Server(model, "--beams", str(BEAMS), "--max-batch", "4", "--max-wait-ms", "20", "--think-tokens", "5",
                    *fusion)
    try:
        sequential = []
        for row, ref in zip(rows, plain):
            status, ans = server.post_json("/v1/recommend", {"history": row["history_ids"], "k": BEAMS})
            assert status == 200, ans
            same_ranking(ranking(ans), reference(ref))
            sequential.append(ranking(ans))
        differs = sum(s["sids"] != a["predict"] for s, a in zip(sequential, alone))
        assert differs > 0, f"{mix}: the answers equal the language model's alone: the prior was not applied"
        for row, ref in zip(rows, think):
            status, ans = server.post_json("/v1/recommend", {"history": row["history_ids"], "mode": "think"})
            assert status == 200, ans
            same_ranking(ranking(ans), reference(ref))
            assert ans["reasoning"] == ref["cot"], (ans["reasoning"], ref["cot"])

        answers, errors = [], []

        def client(offset):
            for j in range(2 * ROWS):
                i = (j + offset) % ROWS
                status, ans = server.post_json("/v1/recommend", {"history": rows[i]["history_ids"], "k": BEAMS})
                (answers if status == 200 else errors).append((i, ans))

        run_clients(8, client)
        assert not errors, errors[:3]
        assert max(a["batch_size"] for _, a in answers) > 1, "no batch held more than one request"
        for i, ans in answers:
            same_ranking(ranking(ans), sequential[i], tol=1e-4)

        status, _, data = server.post("/v1/chat/completions", {"messages": [{"role": "user", "content": "hi"}]})
        assert status == 501 and "--sasrec" in json.loads(data)["error"]["message"], (status, data)
        assert server.terminate() == 0
    finally:
        server.kill()
    print(f"--sasrec-mix {mix} --sasrec-weight {weight}: {ROWS} plain and 3 think answers equal evaluate's, "
          f"{len(answers)} concurrent answers equal, {differs}/{ROWS} lists differ from the model alone: ok")


def main():
    tmp = tempfile.mkdtemp(prefix="serve_sasrec_")
    atexit.register(shutil.rmtree, tmp, True)
    model = os.path.join(tmp, "model")
    make_model(model)
    sasrec = os.path.join(tmp, "sasrec")
    subprocess.run([BIN, "baseline", "sasrec", "--data", DATA, "--dataset", DS, "--loss", "ce", "--epochs", "2",
                    "--threads", "1", "--no-progress", "--out", sasrec], check=True, timeout=600,
                   stdout=subprocess.DEVNULL)
    rows = test_rows(ROWS)
    alone = evaluate(model, os.path.join(tmp, "alone"), ROWS, BEAMS)
    check_mix(model, sasrec, tmp, rows, "product", 0.2, alone)
    check_mix(model, sasrec, tmp, rows, "mean", 0.5, alone)
    print("all ok")


if __name__ == "__main__":
    main()
