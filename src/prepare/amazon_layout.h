// The field names and time unit of an Amazon reviews dump: the one thing the 2018 and 2023 layouts differ in.
// amazon18.cpp reads both through this description, so the pipeline (title rule, window, k-core, ids, splits,
// outputs) is one code path.
#pragma once
#include <cstdint>

namespace sidr::prepare {

struct AmazonLayout {
  const char* name;   // "amazon18", for messages
  const char* item;   // item key, in reviews and metadata
  const char* user;   // user key in reviews
  const char* time;   // review time field
  // amazon18: int(value) as the script (integer, float truncated, decimal string), seconds.
  // amazon23: an integer number of milliseconds, floor-divided by 1000 to seconds.
  bool time_in_milliseconds;
  const char* brand;  // item.json's `brand` comes from this metadata field
};

// McAuley Lab's Amazon Reviews 2018: asin / reviewerID / unixReviewTime (seconds) / brand.
inline constexpr AmazonLayout kAmazon18Layout{"amazon18", "asin", "reviewerID", "unixReviewTime", false, "brand"};
// Amazon Reviews 2023: items by parent_asin (variants count for their parent), user_id, timestamp (ms), and
// `store` for the brand (2023 has no `brand`).
inline constexpr AmazonLayout kAmazon23Layout{"amazon23", "parent_asin", "user_id", "timestamp", true, "store"};

}  // namespace sidr::prepare
