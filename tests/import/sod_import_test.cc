// Tests of the separation-of-duties sheet (docs/formats.md "SoD"; SPEC §7,
// §10): every entitlement spelling, generated ids, and file:line:col errors.
#include <string>

#include "birthright/bound_policy.h"
#include "birthright/import.h"
#include "birthright/policy.h"
#include "gtest/gtest.h"

namespace birthright {
namespace {

TEST(ImportSod, ReadsEveryEntitlementSpelling) {
  Policy p;
  ASSERT_TRUE(ImportSod("id,first,second,message\r\n"
                        "S1,NetSuite: AP Clerk,Expensify: Approver,pay self\r\n"
                        ",Slack [corp],\"Slack [eng] : Member\",\r\n"
                        "\r\n"
                        "S3,  GitHub  ,AWS [production],\r\n",
                        "sod.csv", &p)
                  .ok());
  ASSERT_EQ(p.sod.size(), 3u);
  EXPECT_EQ(p.sod[0].id, "S1");
  EXPECT_EQ(p.sod[0].first.app, "NetSuite");
  EXPECT_EQ(p.sod[0].first.instance, "");
  EXPECT_EQ(p.sod[0].first.level, "AP Clerk");
  EXPECT_EQ(p.sod[0].second.level, "Approver");
  EXPECT_EQ(p.sod[0].message, "pay self");
  EXPECT_EQ(p.sod[0].location.file, "sod.csv");
  EXPECT_EQ(p.sod[0].location.line, 2);
  // A row without an id is row-N (N = record number, header = 1; SPEC §8).
  EXPECT_EQ(p.sod[1].id, "row-3");
  EXPECT_EQ(p.sod[1].first.app, "Slack");
  EXPECT_EQ(p.sod[1].first.instance, "corp");
  EXPECT_EQ(p.sod[1].first.level, "");
  EXPECT_EQ(p.sod[1].second.instance, "eng");
  EXPECT_EQ(p.sod[1].second.level, "Member");
  EXPECT_EQ(p.sod[2].first.app, "GitHub");
  EXPECT_EQ(p.sod[2].second.app, "AWS");
  EXPECT_EQ(p.sod[2].second.instance, "production");
}

struct BadSod {
  const char* name;
  const char* csv;
  const char* error;
};

class ImportSodErrors : public ::testing::TestWithParam<BadSod> {};

TEST_P(ImportSodErrors, NameFileLineAndColumn) {
  Policy p;
  const absl::Status s = ImportSod(GetParam().csv, "sod.csv", &p);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(s.message()), GetParam().error);
  EXPECT_TRUE(p.sod.empty());  // Nothing appended on error.
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ImportSodErrors,
    ::testing::Values(
        BadSod{"Empty", "",
               "sod.csv:1:1: empty file; expected a header row "
               "'id, first, second, message' for a "
               "separation-of-duties sheet"},
        BadSod{"NoSecondColumn", "id,first\nS1,Okta\n",
               "sod.csv:1:1: expected separation-of-duties columns 'id, "
               "first, second, message'"},
        BadSod{"EmptyEntitlement", "id,first,second\nS1,,Okta\n",
               "sod.csv:2:4: expected an entitlement 'App', 'App "
               "[instance]', 'App: Level' or 'App [instance]: Level'"},
        BadSod{"UnclosedInstance", "id,first,second\nS1,Slack [corp,Okta\n",
               "sod.csv:2:15: expected ']' closing the instance"},
        BadSod{"EmptyInstance", "id,first,second\nS1,Okta,Slack []: Admin\n",
               "sod.csv:2:16: expected an instance name inside '[ ]'"},
        BadSod{"EmptyLevel", "id,first,second\nS1,Okta:,Okta\n",
               "sod.csv:2:9: expected a level after ':'"},
        BadSod{"TextAfterInstance", "id,first,second\nS1,Slack [corp] x,Okta\n",
               "sod.csv:2:17: expected an entitlement 'App', 'App "
               "[instance]', 'App: Level' or 'App [instance]: Level'"},
        BadSod{"DuplicateId", "id,first,second\nS1,Okta,Jira\ns1,Okta,Zoom\n",
               "sod.csv:3:1: duplicate id 's1'; expected each "
               "separation-of-duties row to have its own id"},
        BadSod{"CellBeyondHeader", "id,first,second\nS1,Okta,Jira,extra\n",
               "sod.csv:2:14: cell beyond the last header column; expected "
               "the row to end or a header for this column"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ImportSod, BindsAgainstTheCatalog) {
  Policy p;
  ASSERT_TRUE(ImportCatalog("app,instance,levels\n"
                            "NetSuite,,AP Clerk;AP Approver;Controller\n"
                            "Slack,corp,Member;Admin\n"
                            "Slack,eng,Member;Admin\n",
                            "catalog.csv", &p)
                  .ok());
  ASSERT_TRUE(ImportSod("id,first,second\n"
                        "S1,netsuite: ap approver,Slack\n",
                        "sod.csv", &p)
                  .ok());
  auto bound = BoundPolicy::Bind(p, nullptr, BindOptions{});
  ASSERT_TRUE(bound.ok()) << bound.status();
  const BoundSod& s = (*bound)->sod()[0];
  EXPECT_TRUE(s.valid);
  ASSERT_EQ(s.first.parts.size(), 1u);
  EXPECT_EQ(s.first.parts[0].min_level, 1);  // AP Approver or higher.
  EXPECT_EQ(s.second.parts.size(), 2u);      // Every Slack instance.
  EXPECT_EQ(s.second.parts[0].min_level, 0);
}

}  // namespace
}  // namespace birthright
