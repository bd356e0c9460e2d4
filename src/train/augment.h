// Per-epoch augmentation of sequence-style training samples (`<|im_start|>` then the items' SID tokens back to
// back): random crops and random item drops. A from-scratch model memorises the 36K training rows within a few
// epochs; showing each user's items after a different context every epoch is a regulariser (as crop and mask
// augmentations in sequential recommenders), and the cropped contexts look like the short histories of other users.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "train/batching.h"

namespace sidr::train {

struct AugmentOptions {
  double crop = 0.0;  // probability that a sample starts at a random later item (uniform, at least 2 items left)
  double drop = 0.0;  // probability that each item other than the last is left out (at least 2 items stay)

  bool enabled() const { return crop > 0.0 || drop > 0.0; }
  // "crop=0.5,drop=0.1" (either key may be left out); "" or "none": no augmentation. InputError on bad text.
  static AugmentOptions parse(const std::string& text);
  std::string to_string() const;  // parse(to_string()) == *this; "none" when disabled
};

class SequenceAugmenter {
 public:
  // is_item_start[id]: token `id` opens an item (a first-level SID token such as <a_12>).
  SequenceAugmenter(AugmentOptions options, std::vector<bool> is_item_start, std::uint64_t seed);

  // The samples of `epoch`: sample i augmented with randomness drawn from (seed, epoch, i) alone, so every rank
  // and every resume sees the same epoch. Samples that are not item sequences pass through unchanged.
  std::vector<Sample> epoch_samples(const std::vector<Sample>& base, std::int64_t epoch) const;

  // One sample with its own generator state. Items keep their tokens and labels; the first item kept becomes
  // context (a target needs a history), so its labels are dropped.
  Sample augment(const Sample& sample, std::uint64_t& rng) const;

 private:
  AugmentOptions options_;
  std::vector<bool> is_item_start_;
  std::uint64_t seed_;
};

}  // namespace sidr::train
