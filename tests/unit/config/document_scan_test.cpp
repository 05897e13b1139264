// scan_documents(): one YAML document or more, from the column-0 markers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/document_scan.hpp"

namespace authgate::config {
namespace {

struct Case {
  std::string name;
  std::string text;
  int first_content_line;    // 0 = none
  int second_document_line;  // 0 = none
  std::string why;
};

std::vector<Case> cases() {
  return {
      {"EmptyTextHasNothing", "", 0, 0, "no content, one (empty) document"},
      {"CommentsAreNotContent", "# a\n  # b\n\n", 0, 0, "comments only"},
      {"PlainMapIsOneDocument", "a: 1\nb: 2\n", 1, 0, "the usual file"},
      {"LeadingMarkerIsFine", "# c\n---\na: 1\n", 3, 0, "explicit start of the only document"},
      {"DirectiveThenMarkerIsFine", "%YAML 1.2\n---\na: 1\n", 3, 0, "directives precede the marker"},
      {"ContentOnTheMarkerLineCounts", "--- {a: 1}\n", 1, 0, "flow content after the marker"},
      {"MarkerAfterContentStartsASecondDocument", "a: 1\n---\nb: 2\n", 1, 2, "two documents"},
      {"TwoMarkersAreTwoDocuments", "---\n---\n", 0, 2, "two empty documents"},
      {"EndMarkerThenNothingIsFine", "a: 1\n...\n# done\n", 1, 0, "an explicit end"},
      {"ContentAfterEndMarkerIsASecondDocument", "a: 1\n...\nb: 2\n", 1, 3, "a bare document follows"},
      {"IndentedDashesAreNotMarkers", "a: |\n  ---\n  text\n", 1, 0, "only column 0 counts"},
      {"DashesWithTextAreNotMarkers", "---a: 1\n", 1, 0, "'---a' is a plain scalar"},
      {"CrlfLinesAreLines", "a: 1\r\n---\r\nb: 2\r\n", 1, 2, "CRLF files"},
  };
}

class DocumentScanTest : public ::testing::TestWithParam<Case> {};

TEST_P(DocumentScanTest, FindsTheDocumentShape) {
  const auto& c = GetParam();
  const DocumentShape shape = scan_documents(c.text);
  EXPECT_EQ(shape.first_content ? shape.first_content->line : 0, c.first_content_line) << c.why;
  EXPECT_EQ(shape.second_document ? shape.second_document->line : 0, c.second_document_line) << c.why;
}

INSTANTIATE_TEST_SUITE_P(Texts, DocumentScanTest, ::testing::ValuesIn(cases()),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace authgate::config
