#include "baseline/sasrec_run.h"

#include <chrono>

#include <fmt/format.h>

#include "model/runtime.h"
#include "util/error.h"
#include "util/file_io.h"
#include "train/train_state.h"
#include "util/progress.h"
#include "util/strings.h"

namespace sidr::baseline {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

OrderedJson config_json(const SasrecRunOptions& options, const SasrecConfig& model, const SequenceData& data,
                        std::int64_t parameters) {
  OrderedJson j;
  j["model"] = "SASRec";
  j["data"] = options.data_root.string();
  j["dataset"] = options.dataset;
  j["num_items"] = data.num_items;
  j["distinct_sids"] = data.sids.size();
  j["rows"] = {{"train", data.train.rows.size()}, {"valid", data.valid.rows.size()}, {"test", data.test.rows.size()}};
  j["hidden"] = model.hidden;
  j["heads"] = model.heads;
  j["max_len"] = model.max_len;
  j["dropout"] = model.dropout;
  j["parameters"] = parameters;
  const auto& t = options.train;
  j["loss"] = sasrec_loss_name(t.loss);
  j["epochs"] = t.epochs;
  j["batch_size"] = t.batch_size;
  j["lr"] = t.lr;
  j["weight_decay"] = t.weight_decay;
  j["patience"] = t.patience;
  j["max_minutes"] = t.max_minutes;
  j["select"] = "valid NDCG@" + std::to_string(t.select_k);
  j["ks"] = t.ks;
  j["seed"] = t.seed;
  j["threads"] = options.threads;
  j["options"] = options.to_json();  // every option as given (the keys above are what readers of a run use)
  return j;
}

std::string history_sids(const SequenceExample& row, const SequenceData& data) {
  std::vector<std::string> parts;
  for (auto id : row.history) parts.push_back(data.sids[static_cast<std::size_t>(data.item_sid[static_cast<std::size_t>(id)])]);
  return join(parts, ", ");
}

}  // namespace

void SasrecRunOptions::validate() const {
  if (out.empty()) throw InputError("an output directory (--out) is required");
  if (dataset.empty()) throw InputError("a dataset name (--dataset) is required");
  if (threads < 1) throw InputError("threads must be at least 1, got " + std::to_string(threads));
  if (predictions_k < 1) throw InputError("predictions per row must be at least 1, got " + std::to_string(predictions_k));
  train.validate();
  SasrecConfig probe = model;
  probe.num_items = 1;  // the real count comes from the catalog
  probe.validate();
}

OrderedJson run_sasrec_baseline(const SasrecRunOptions& options) {
  options.validate();
  const auto start = std::chrono::steady_clock::now();
  model::set_intra_op_threads(options.threads);

  auto data = SequenceData::load(data::DatasetPaths{options.data_root, options.dataset},
                                 static_cast<int>(options.model.max_len));
  const double load_seconds = seconds_since(start);
  AtomicDirectory out(options.out);

  std::string jsonl;
  std::unique_ptr<Progress> bar;
  if (options.progress)
    bar = std::make_unique<Progress>(fmt::format("sasrec {}", sasrec_loss_name(options.train.loss)),
                                     static_cast<std::uint64_t>(options.train.epochs), "epochs");
  const int select_k = options.train.select_k;
  auto on_epoch = [&](const EpochRecord& record, const SasrecTrainResult& so_far) {
    OrderedJson line;
    line["epoch"] = record.epoch;
    line["loss"] = record.loss;
    line["valid"] = record.valid;
    line["improved"] = record.improved;
    line["seconds"] = record.seconds;
    jsonl += line.dump() + "\n";
    if (bar) {
      bar->set_postfix(fmt::format("loss {:.4f} valid NDCG@{} {:.4f} best {:.4f} (epoch {})", record.loss, select_k,
                                   record.select_score, so_far.best_score, so_far.best_epoch));
      bar->advance();
    }
  };
  auto trained = train_sasrec(data, options.model, options.train, on_epoch);
  if (bar) bar->finish();

  const auto test_start = std::chrono::steady_clock::now();
  auto test = evaluate_sasrec(trained.model, data, data.test, options.train.ks,
                              static_cast<std::size_t>(options.predictions_k), options.train.eval_batch_size);
  const double test_seconds = seconds_since(test_start);

  std::int64_t parameters = 0;
  for (const auto& p : trained.model->parameters()) parameters += p.numel();

  OrderedJson metrics = test.metrics.to_json();
  metrics["split"] = "test";
  metrics["rows"] = test.metrics.rows();
  metrics["model"] = "SASRec";
  metrics["loss"] = sasrec_loss_name(options.train.loss);
  metrics["best_epoch"] = trained.best_epoch;
  metrics["epochs_run"] = trained.epochs_run;
  metrics["early_stopped"] = trained.early_stopped;
  metrics["out_of_time"] = trained.out_of_time;
  metrics["valid"] = trained.history.at(static_cast<std::size_t>(trained.best_epoch - 1)).valid;
  metrics["timing"] = {{"load_s", load_seconds},
                       {"train_s", trained.train_seconds},
                       {"valid_s", trained.valid_seconds},
                       {"test_s", test_seconds},
                       {"total_s", seconds_since(start)},
                       {"threads", options.threads}};

  OrderedJson predictions = OrderedJson::array();
  for (std::size_t r = 0; r < data.test.rows.size(); ++r) {
    const auto& row = data.test.rows[r];
    OrderedJson entry;
    entry["input"] = history_sids(row, data);
    entry["output"] = data.sids[static_cast<std::size_t>(data.item_sid[static_cast<std::size_t>(row.target)])] + "\n";
    OrderedJson predict = OrderedJson::array();
    for (auto sid : test.top_sids[r]) predict.push_back(data.sids[static_cast<std::size_t>(sid)]);
    entry["predict"] = std::move(predict);
    predictions.push_back(std::move(entry));
  }

  write_file_atomic(out.path() / "config.json", config_json(options, trained.model->config(), data, parameters).dump(2) + "\n");
  write_file_atomic(out.path() / "metrics.jsonl", jsonl);
  write_file_atomic(out.path() / "predictions.json", predictions.dump(1) + "\n");
  {
    torch::serialize::OutputArchive archive;
    trained.model->save(archive);
    train::save_archive(archive, out.path() / "model.pt");
  }
  write_file_atomic(out.path() / "metrics.json", metrics.dump(2) + "\n");
  out.commit();
  return metrics;
}

}  // namespace sidr::baseline
