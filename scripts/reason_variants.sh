#!/usr/bin/env bash
# The reason preset's valid study (docs/pipeline.md, "The reason preset, measured"): Stage 2 variants on
# runs/reason's Stage 1 and decoding variants on its Stage 2 model, valid only (the first 1000 users), written
# under runs/reason-study/. Usage: scripts/reason_variants.sh noplain reason05 reason01 pool05 beam5 cold5
set -euo pipefail
cd "$(dirname "$0")/.."
B=./build/sidreasoner
D=(--data data/Amazon --dataset Industrial_and_Scientific)
NARR=runs/reason/corpus/index/Industrial_and_Scientific.integrated_narrative.csv
VNARR=runs/reason/corpus/index/Industrial_and_Scientific.valid.integrated_narrative.csv
S2=(--batch 128 --epochs 2 --lr 0.001 --max-eval-samples 1000 --micro-batch 64 --patience 0 --schedule cosine --style sequence --warmup 10 --weight-decay 0.1 --no-progress)
E=(--split valid --batch-size 32 --beams 10 --limit 1000 --prompt-style training --style sequence --quiet)
variant() {  # name, extra sft flags...
  local name=$1; shift
  local out=runs/reason-study/stage2_$name
  [ -f $out/final_checkpoint/config.json ] || $B sft --stage 2 "${D[@]}" --model runs/reason/stage1/final_checkpoint --out $out --user-corpus $NARR "${S2[@]}" "$@"
  local m=$out/final_checkpoint
  [ -f $out/eval_plain/metrics.json ] || $B evaluate --model $m "${D[@]}" "${E[@]}" --out $out/eval_plain
  [ -f $out/eval_think/metrics.json ] || $B evaluate --model $m "${D[@]}" "${E[@]}" --out $out/eval_think --narrative $VNARR --mode think --think-decode reference
  [ -f $out/eval_marg/metrics.json ] || $B evaluate --model $m "${D[@]}" "${E[@]}" --out $out/eval_marg --narrative $VNARR --mode think --think-decode marginalised --thoughts 5
}
for v in "$@"; do
  case $v in
    noplain) variant noplain --weights reason=0.2 --plain-weight 0 ;;
    reason05) variant reason05 --weights reason=0.5 --plain-weight 1 ;;
    reason01) variant reason01 --weights reason=0.1 --plain-weight 1 ;;
  esac
done
# Decoding variants on the preset's own Stage 2 model.
decode() {  # name, evaluate flags...
  local name=$1; shift
  local out=runs/reason-study/decode_$name
  [ -f $out/metrics.json ] || $B evaluate --model runs/reason/stage2/final_checkpoint "${D[@]}" "${E[@]}" --out $out --narrative $VNARR --mode think "$@"
}
for v in "$@"; do
  case $v in
    pool05) decode pool05 --think-decode marginalised --thoughts 5 --think-pool-plain 0.5 ;;
    beam5) decode beam5 --think-decode marginalised --thoughts 5 --thought-search beam ;;
    cold5) decode cold5 --think-decode marginalised --thoughts 5 --thought-temperature 0.7 ;;
  esac
done
