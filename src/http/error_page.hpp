#pragma once
// The small HTML page a browser gets for the gateway's own answers (401, 403, 429, 5xx, …) instead of a
// bare "401 Unauthorized" in monospace: one heading, one sentence on what to do, readable on any screen and
// by screen readers, with no outside resources. The 401 page travels with its challenges, so the browser
// still shows its own sign-in prompt first; the page is what remains if the user cancels.

#include <array>
#include <chrono>
#include <string>
#include <string_view>

#include "authgate/policy/decision.hpp"

namespace authgate::gateway {

/// Every status the gateway answers itself, on any kind of listener: each has a page here, and only these
/// may have an operator's page (config `error_pages`).
inline constexpr std::array<int, 17> local_reply_statuses = {400, 401, 403, 404, 405, 407, 408, 413, 414,
                                                             429, 431, 500, 501, 502, 503, 504, 505};

/// The page for `status` (reason phrase `reason`); `retry_after` is named on 429 and 503; `side` says
/// whether the sign-in is for a site or for a proxy (407).
std::string error_page_html(int status, std::string_view reason, std::chrono::seconds retry_after,
                            policy::Side side);

/// The same page, rendered once per process for the statuses whose page never changes (all but 429 and
/// 503, which name the wait): a browser's 401 then costs no page building. nullptr for 429, 503 and
/// statuses without a page of their own.
const std::string* fixed_error_page(int status, policy::Side side);

/// The sentence the page shows for `status`: what happened and what to do (empty for codes without one).
std::string error_page_advice(int status, std::chrono::seconds retry_after, policy::Side side);

}  // namespace authgate::gateway
