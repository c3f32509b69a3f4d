#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "app/session.h"

namespace distillery {
namespace {

TEST(MakeSplit, PartsAreDisjointCoverEverythingAndHaveTheAskedSizes) {
  SplitSettings s;
  s.val_fraction = 0.1f;
  s.test_fraction = 0.2f;
  const DataSplit split = make_split(1000, s);
  EXPECT_EQ(split.test.size(), 200u);
  EXPECT_EQ(split.val.size(), 100u);
  EXPECT_EQ(split.train.size(), 700u);
  std::set<int> all;
  for (const auto* part : {&split.train, &split.val, &split.test}) {
    EXPECT_TRUE(std::is_sorted(part->begin(), part->end()));
    all.insert(part->begin(), part->end());
  }
  EXPECT_EQ(all.size(), 1000u);
  EXPECT_EQ(*all.begin(), 0);
  EXPECT_EQ(*all.rbegin(), 999);
}

TEST(MakeSplit, SameSeedSameSplitOtherSeedOtherSplit) {
  SplitSettings s;
  const DataSplit a = make_split(500, s), b = make_split(500, s);
  EXPECT_EQ(a.test, b.test);
  EXPECT_EQ(a.val, b.val);
  s.seed = 2;
  EXPECT_NE(make_split(500, s).test, a.test);
}

TEST(MakeSplit, TinyDatasetsStillTrain) {
  SplitSettings s;
  s.test_fraction = 0.5f;
  s.val_fraction = 0.4f;
  const DataSplit split = make_split(3, s);
  EXPECT_EQ(split.train.size() + split.val.size() + split.test.size(), 3u);
  EXPECT_EQ(split.test.size(), 2u);  // round(1.5)
}

TEST(Session, ReplacingTheDatasetResplitsAndClearsEvaluations) {
  Session s;
  auto d = std::make_shared<Dataset>();
  d->height = d->width = 2;
  d->channels = 1;
  d->class_names = {"a", "b"};
  d->labels.assign(50, 0);
  d->pixels.assign(50 * 4, 0);
  s.student_eval = EvalReport{};
  s.set_dataset(d, "x");
  EXPECT_EQ(s.split.train.size() + s.split.val.size() + s.split.test.size(), 50u);
  EXPECT_FALSE(s.student_eval.has_value());
  EXPECT_EQ(s.dataset_version, 1);
}

}  // namespace
}  // namespace distillery
