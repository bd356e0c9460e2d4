#!/usr/bin/env bash
# The CLI on a GPU against the same commands on the CPU (skipped with exit 77 where libtorch has no CUDA device,
# as in CI; scripts/cuda-check.sh runs it on a GPU machine):
#  - Stage 1 SFT in float32 on cuda reaches the CPU run's losses and weights (same seed, same data order);
#  - bfloat16 SFT on cuda trains (its loss falls) and its checkpoint evaluates in bfloat16 on cuda;
#  - evaluate --device cuda returns the CPU's predictions and scores, alone and with SASRec multiplied in.
set -euo pipefail
"${SIDR_BIN:?}" doctor | grep -q "cuda available  yes" || { echo "skipped: this libtorch sees no CUDA device"; exit 77; }
source "$(dirname "$0")/../train/sft_common.sh"
PY=${SIDR_PYTHON:-/usr/bin/python3}
ARGS=("${SFT_ARGS[@]}" --epochs 2 --batch 8 --micro-batch 4 --nproc 1)

"$SIDR_BIN" "${ARGS[@]}" --device cpu --out "$TMP/cpu" 2> "$TMP/cpu.log"
"$SIDR_BIN" "${ARGS[@]}" --device cuda --out "$TMP/gpu" 2> "$TMP/gpu.log"
"$SIDR_BIN" "${ARGS[@]}" --device cuda --dtype bfloat16 --out "$TMP/bf16" 2> "$TMP/bf16.log"
diff=$(max_weight_diff "$TMP/cpu/final_checkpoint/model.safetensors" "$TMP/gpu/final_checkpoint/model.safetensors")
echo "max |weight difference| cpu vs cuda after SFT: $diff"
"$PY" - "$diff" "$TMP/cpu/metrics.jsonl" "$TMP/gpu/metrics.jsonl" "$TMP/bf16/metrics.jsonl" <<'PY'
import json, sys
if not float(sys.argv[1]) <= 5e-4:
    sys.exit(f"FAIL: cuda weights differ from cpu by {sys.argv[1]}")
cpu, gpu, bf16 = ([json.loads(l) for l in open(p)] for p in sys.argv[2:5])
assert len(cpu) == len(gpu) > 2, (len(cpu), len(gpu))
for x, y in zip(cpu, gpu):
    for key in ("loss", "valid_loss", "grad_norm"):
        if key in x and abs(x[key] - y[key]) > 1e-3 * max(1.0, abs(x[key])):
            sys.exit(f"FAIL: {key} differs at step {x['step']}: cpu {x[key]} vs cuda {y[key]}")
losses = [r["loss"] for r in bf16 if "loss" in r]
assert len(losses) > 2 and losses[-1] < losses[0], f"FAIL: bfloat16 loss did not fall: {losses}"
print(f"ok: cuda float32 SFT == cpu; bfloat16 loss {losses[0]:.3f} -> {losses[-1]:.3f}")
PY

# Evaluation: the GPU-trained checkpoint on both devices, then with a SASRec run multiplied in.
"$SIDR_BIN" baseline sasrec --data "$FIX" --dataset Office_Products --loss ce --epochs 2 --no-progress \
  --out "$TMP/sasrec" > /dev/null
EVAL=(evaluate --data "$FIX" --dataset Office_Products --beams 5 --batch-size 4 --with-scores --quiet --threads 1)
for device in cpu cuda; do
  "$SIDR_BIN" "${EVAL[@]}" --model "$TMP/gpu/final_checkpoint" --device $device --out "$TMP/eval_$device" > /dev/null
  "$SIDR_BIN" "${EVAL[@]}" --model "$TMP/gpu/final_checkpoint" --device $device --sasrec "$TMP/sasrec" \
    --sasrec-mix product --sasrec-weight 0.3 --out "$TMP/fused_$device" > /dev/null
done
"$SIDR_BIN" "${EVAL[@]}" --model "$TMP/bf16/final_checkpoint" --device cuda --dtype bfloat16 --out "$TMP/eval_bf16" \
  > /dev/null
"$PY" - "$TMP" <<'PY'
import json, sys
tmp = sys.argv[1]
for name in ("eval", "fused"):
    cpu = json.load(open(f"{tmp}/{name}_cpu/predictions.json"))
    gpu = json.load(open(f"{tmp}/{name}_cuda/predictions.json"))
    assert len(cpu) == len(gpu) > 0
    for a, b in zip(cpu, gpu):
        assert a["predict"] == b["predict"], (name, a["predict"], b["predict"])
        assert max(abs(x - y) for x, y in zip(a["scores"], b["scores"])) < 1e-3, (name, a["scores"], b["scores"])
    m_cpu = json.load(open(f"{tmp}/{name}_cpu/metrics.json"))
    m_gpu = json.load(open(f"{tmp}/{name}_cuda/metrics.json"))
    ranking = [k for k in m_cpu if k.startswith(("HR@", "NDCG@"))]
    assert m_gpu["device"] == "cuda" and ranking and all(m_cpu[k] == m_gpu[k] for k in ranking), (m_cpu, m_gpu)
bf16 = json.load(open(f"{tmp}/eval_bf16/metrics.json"))
assert bf16["invalid_predictions"] == 0 and bf16["rows"] == len(cpu), bf16
print(f"ok: evaluate on cuda == cpu ({len(cpu)} users, plain and with SASRec); bfloat16 evaluation ran")
PY
