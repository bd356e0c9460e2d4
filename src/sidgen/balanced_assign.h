// Exact size-constrained assignment: N points to K clusters, minimising the summed cost, with every cluster's
// size in [size_min, size_max]. The E-step of constrained k-means (reference §5.4: k_means_constrained solves the
// same network with OR-tools' SimpleMinCostFlow: points -> clusters (cost), clusters -> sink with a demand of
// size_min each and capacity size_max).
//
// Algorithm: successive shortest paths (min-cost flow) on the cluster graph. Points are added one at a time;
// each follows the shortest path in the residual network from the point to the sink: point -> cluster a, then
// a -> b by moving one member q of a to b (cost c[q][b] - c[q][a], the cheapest such member), ..., then a cluster
// with room -> sink. Only K + 1 nodes take part (the point nodes are pass-through and folded into the a -> b
// edges), Dijkstra runs on reduced costs with node potentials and stops when the sink is settled. The lower
// bounds are the first size_min slots of each cluster costing one "tier" less (costs are compared as
// (tier, value) pairs, so filling a lower bound outranks any distance: exact, no big-M rounding). Each
// augmentation keeps the flow optimal for the points added so far; after the last one the assignment is
// optimal for all (the classic SSP invariant, convex slot costs).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sidr::sidgen {

// cost: N x K, row-major (cost[i * K + k] = cost of point i in cluster k). Requires size_min <= size_max,
// K * size_min <= N <= K * size_max (InputError otherwise). Returns each point's cluster. Deterministic: points
// are added in index order, ties go to the lower cluster index.
std::vector<std::int32_t> balanced_assign(const float* cost, std::size_t n, std::size_t k, std::size_t size_min,
                                          std::size_t size_max);

}  // namespace sidr::sidgen
