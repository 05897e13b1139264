#include "gateway/gateway_state.hpp"

#include "gateway/access_log.hpp"
#include "gateway/local_reply.hpp"
#include "gateway/metrics.hpp"
#include "gateway/request_record.hpp"

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

}  // namespace authgate::gateway
