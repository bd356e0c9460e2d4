#include "decode/step_model.h"

#include <stdexcept>

namespace sidr::decode {

std::shared_ptr<const SavedRows> StepModel::save(const torch::Tensor&) {
  throw std::logic_error("this step model cannot save rows for continuation");
}

torch::Tensor StepModel::resume(const std::vector<Continuation>&) {
  throw std::logic_error("this step model cannot continue saved rows");
}

}  // namespace sidr::decode
