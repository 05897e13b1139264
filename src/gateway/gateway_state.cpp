#include "gateway/gateway_state.hpp"

#include <algorithm>

#include "gateway/ops/access_log.hpp"
#include "gateway/ops/metrics.hpp"
#include "gateway/ops/request_record.hpp"
#include "http/local_reply.hpp"

namespace authgate::gateway {

void GatewayState::record(const RequestRecord& record) const {
  if (metrics != nullptr) metrics->record(record);
  if (access_log != nullptr) access_log->write(record);
  if (observer) observer(record);
}

const std::string& IoThread::date() {
  const auto now = std::chrono::system_clock::now();
  const auto second = std::chrono::time_point_cast<std::chrono::seconds>(now);
  if (date_.empty() || second != date_second_) {
    date_ = http_date(now);
    date_second_ = second;
  }
  return date_;
}

namespace {
constexpr std::size_t scratch_bytes = std::size_t{64} * 1024;
constexpr std::size_t max_spare_scratch = 64;  // 4 MiB per I/O thread at most, kept for busy moments
}  // namespace

std::vector<char> IoThread::take_scratch() {
  if (spare_scratch_.empty()) return std::vector<char>(scratch_bytes);
  std::vector<char> scratch = std::move(spare_scratch_.back());
  spare_scratch_.pop_back();
  spare_low_water_ = std::min(spare_low_water_, spare_scratch_.size());
  return scratch;
}

void IoThread::trim_scratch() {
  // The bottom `spare_low_water_` buffers sat unused for the whole interval: no one needs them now.
  const auto unused = static_cast<std::ptrdiff_t>(spare_low_water_);
  spare_scratch_.erase(spare_scratch_.begin(), spare_scratch_.begin() + unused);
  if (spare_scratch_.empty()) spare_scratch_.shrink_to_fit();
  spare_low_water_ = spare_scratch_.size();
}

std::span<char> LazyScratch::get() {
  if (slot_.empty()) slot_ = thread_.take_scratch();
  return slot_;
}

void IoThread::give_back_scratch(std::vector<char> scratch) {
  if (scratch.size() == scratch_bytes && spare_scratch_.size() < max_spare_scratch) {
    spare_scratch_.push_back(std::move(scratch));
  }
}

}  // namespace authgate::gateway
