// `error_pages`: which statuses may carry a page and how keys are spelled (validate, at file:line), the
// page files read by compile() (problems located inside the page), and routes' pages merged over the
// top-level ones.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/compile.hpp"
#include "config/limits.hpp"
#include "validate_cases.hpp"

namespace authgate::config {
namespace {

using testing::Case;
using testing::edit;
using testing::expect_case;
constexpr Severity E = Severity::error;

// The base config with `pages` under the `app` route and `top` as a top-level error_pages map.
std::string with_pages(const std::string& pages, const std::string& top = "") {
  std::string yaml =
      edit("    auth: {realms: [staff]}\n", "    auth: {realms: [staff]}\n    error_pages: " + pages + "\n");
  if (!top.empty()) yaml += "error_pages: " + top + "\n";
  return yaml;
}

std::vector<Case> error_page_cases() {
  return {
      {"AStatusTheGatewayNeverAnswersHasNoPage", with_pages("{418: pages/denied.html}"), E,
       "routes[1].error_pages.418: authgate never answers 418 itself", "pages/denied.html",
       "an upstream's own statuses reach the client untouched"},
      {"AnUpstreamsOwn200IsNotAnErrorStatus", with_pages("{200: pages/denied.html}"), E,
       "not an error status: the keys are status codes 400-599", "pages/denied.html}", "200 is no error"},
      {"ALeadingZeroIsASecondSpellingOfAKey", with_pages("{\"0401\": pages/denied.html}"), E,
       "routes[1].error_pages.0401: not an error status", "pages/denied.html}", "one spelling per status"},
      {"AStatusClassIsNotAKey", with_pages("{4xx: pages/denied.html}"), E, "not an error status", "pages/",
       "pages name exact statuses"},
      {"APageIsAFileNameNotAList", with_pages("{401: [a, b]}"), E,
       "routes[1].error_pages.401: expected a file path, got a list", "[a, b]", "one file per status"},
      {"TopLevelPagesAreCheckedToo", with_pages("{}", "{302: pages/denied.html}"), E,
       "error_pages.302: not an error status", "pages/denied.html}\n", "the same rules everywhere"},
      {"AMistypedKeyBesideErrorPagesIsUnknown",
       edit("    auth: {realms: [staff]}\n", "    auth: {realms: [staff]}\n    error_page: {401: x.html}\n"),
       E, "routes[1].error_page: unknown key", "error_page:", "typos are errors"},
  };
}

class ValidateErrorPagesTest : public ::testing::TestWithParam<Case> {};
TEST_P(ValidateErrorPagesTest, IsReportedAtItsPosition) { expect_case(GetParam()); }
INSTANTIATE_TEST_SUITE_P(ErrorPages, ValidateErrorPagesTest, ::testing::ValuesIn(error_page_cases()),
                         [](const auto& p) { return p.param.name; });

SnapshotResult compile_text(const std::string& yaml) {
  auto config = load_yaml_string(yaml, testing::data_dir() + "/case.yaml");
  if (!config) return config.error();
  return compile(std::move(*config), 1);
}

std::string page(const std::string& name) {
  return testing::read_text(testing::data_dir() + "/pages/" + name);
}

TEST(CompileErrorPagesTest, ARoutesPagesComeFirstAndTheTopLevelOnesFillTheRest) {
  const auto snapshot = compile_text(
      with_pages("{403: pages/denied.html}", "{401: pages/sign-in.html, 403: pages/sign-in.html}"));
  ASSERT_TRUE(snapshot.has_value()) << testing::all_text(snapshot.error());
  const auto& app = (*snapshot)->routes[1].error_pages;
  ASSERT_NE(app.find(403), nullptr);
  EXPECT_EQ(*app.find(403), page("denied.html")) << "the route's own";
  ASSERT_NE(app.find(401), nullptr);
  EXPECT_EQ(*app.find(401), page("sign-in.html")) << "the top level's, for what the route leaves out";
  EXPECT_EQ(app.find(429), nullptr) << "the built-in page";
  const auto& public_route = (*snapshot)->routes[0].error_pages;
  EXPECT_EQ(*public_route.find(403), page("sign-in.html"));
  EXPECT_EQ(*(*snapshot)->error_pages.find(401), page("sign-in.html")) << "for answers without a route";
  EXPECT_EQ(app.find(401), public_route.find(401)) << "one file is read once and shared";
}

TEST(CompileErrorPagesTest, PageFilesAreWatchedSoAnEditReloads) {
  const auto snapshot = compile_text(with_pages("{403: pages/denied.html}", "{401: pages/sign-in.html}"));
  ASSERT_TRUE(snapshot.has_value()) << testing::all_text(snapshot.error());
  const auto& watched = (*snapshot)->watched_files;
  for (const char* name : {"/pages/denied.html", "/pages/sign-in.html"}) {
    EXPECT_NE(std::find(watched.begin(), watched.end(), testing::data_dir() + name), watched.end()) << name;
  }
}

struct PageProblem {
  std::string name;
  std::string file;      // under tests/data/config/pages
  std::string expected;  // substring of the formatted problem
};

class CompileErrorPageProblemTest : public ::testing::TestWithParam<PageProblem> {};
TEST_P(CompileErrorPageProblemTest, RefusesTheConfigSayingWhere) {
  const auto snapshot = compile_text(with_pages("{401: pages/" + GetParam().file + "}"));
  ASSERT_FALSE(snapshot.has_value());
  const auto problem = testing::find_problem(snapshot.error(), GetParam().expected);
  ASSERT_TRUE(problem.has_value()) << testing::all_text(snapshot.error());
  EXPECT_EQ(problem->path, "routes[1].error_pages.401");
}
INSTANTIATE_TEST_SUITE_P(
    Pages, CompileErrorPageProblemTest,
    ::testing::Values(PageProblem{"AMissingFileIsNamedAtItsConfigLine", "missing.html", "case.yaml:17:"},
                      PageProblem{"AMissingFileSaysSo", "missing.html", "no such file"},
                      PageProblem{"ADirectoryIsNoPage", "", "not a regular file"},
                      PageProblem{"AnEmptyPageWouldBeABlankScreen", "empty.html", "is empty"},
                      PageProblem{"Latin1IsLocatedInsideThePage", "latin1.html",
                                  "latin1.html:3:7: routes[1].error_pages.401: not UTF-8"}),
    [](const auto& p) { return p.param.name; });

TEST(CompileErrorPagesTest, APageOverTheLimitIsRefused) {
  const auto dir = std::filesystem::temp_directory_path() / ("authgate-pages-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto big = dir / "big.html";
  std::ofstream(big) << std::string(limits::max_error_page_bytes + 1, 'x');
  const auto fits = dir / "fits.html";
  std::ofstream(fits) << std::string(limits::max_error_page_bytes, 'x');
  const auto refused = compile_text(with_pages("{401: " + big.string() + "}"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_TRUE(testing::find_problem(refused.error(), "is larger than 256 KiB"))
      << testing::all_text(refused.error());
  const auto accepted = compile_text(with_pages("{401: " + fits.string() + "}"));
  EXPECT_TRUE(accepted.has_value()) << "exactly the limit fits";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace authgate::config
