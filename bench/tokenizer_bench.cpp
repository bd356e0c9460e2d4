// Encode throughput of our tokenizer on JSON-string lines (one text per line), single thread.
//   tokenizer_bench TOKENIZER_JSON CORPUS_JSONL [--sid-index index.json]
// Prints MB/s for a cold pass (empty pre-token cache; a new tokenizer), a warm pass (cache filled), and
// encode_batch over all texts; loading time is reported separately.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "data/catalog.h"
#include "text/tokenizer.h"
#include "util/json.h"

using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// CPU time of this thread: the machine may be shared, and CPU seconds are what a single thread costs.
static double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: tokenizer_bench TOKENIZER_JSON CORPUS_JSONL [--sid-index index.json]\n");
    return 2;
  }
  std::vector<std::string> texts;
  std::ifstream in(argv[2]);
  std::string line;
  std::size_t bytes = 0;
  while (std::getline(in, line)) {
    texts.push_back(sidr::parse_json(line, argv[2]).get<std::string>());
    bytes += texts.back().size();
  }
  auto t0 = Clock::now();
  auto tok = sidr::text::Tokenizer::from_file(argv[1]);
  if (argc >= 5 && std::string(argv[3]) == "--sid-index") tok.add_tokens(sidr::data::SidIndex::load(argv[4]).sorted_level_tokens);
  double load = seconds_since(t0);
  double mb = bytes / 1e6;
  std::size_t ids = 0;
  t0 = Clock::now();
  double c0 = thread_cpu_seconds();
  for (const auto& t : texts) ids += tok.encode(t, true).size();
  double cold = seconds_since(t0), cold_cpu = thread_cpu_seconds() - c0;
  t0 = Clock::now();
  c0 = thread_cpu_seconds();
  for (const auto& t : texts) ids += tok.encode(t, true).size();
  double warm = seconds_since(t0), warm_cpu = thread_cpu_seconds() - c0;
  t0 = Clock::now();
  c0 = thread_cpu_seconds();
  auto batch = tok.encode_batch(texts, true);
  double batched = seconds_since(t0), batched_cpu = thread_cpu_seconds() - c0;
  std::printf("ours  texts=%zu MB=%.3f ids=%zu load_s=%.2f\n", texts.size(), mb, ids / 2, load);
  std::printf("ours  one-per-call cold  %.2f MB/s wall  %.2f MB/s cpu\n", mb / cold, mb / cold_cpu);
  std::printf("ours  one-per-call warm  %.2f MB/s wall  %.2f MB/s cpu\n", mb / warm, mb / warm_cpu);
  std::printf("ours  batch (warm)       %.2f MB/s wall  %.2f MB/s cpu  (%zu texts)\n", mb / batched,
              mb / batched_cpu, batch.size());
  return 0;
}
