// The JS API's distill / trainTeacher options (options.h): every option added
// for augmentation, teacher modes, losses, warm-up, baselines and presets is
// read, refused with a message naming it (the engine's words after
// "distill: "), and written back to the same options.
#include <gtest/gtest.h>

#include "app/options.h"
#include "app/options_json.h"
#include "engine/core/error.h"
#include "engine/prune/prune_pipeline.h"

namespace distillery {
namespace {

std::string error_of(const nlohmann::json& j) {
  try {
    distill_options_from_json(j);
  } catch (const Error& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(DistillOptions, ReadsEveryNewOption) {
  const DistillOptions o = distill_options_from_json({{"augment", "shift:2,flip,rotate:10,scale:0.1,mixup:0.2,cutmix:1"},
                                                      {"teacherMode", "cached"},
                                                      {"loss", "dkd"},
                                                      {"dkdTargetWeight", 2},
                                                      {"dkdNontargetWeight", 6},
                                                      {"warmupEpochs", 2},
                                                      {"epochs", 4},
                                                      {"baseline", true}});
  EXPECT_EQ(o.train.augment.shift, 2);
  EXPECT_TRUE(o.train.augment.flip);
  EXPECT_FLOAT_EQ(o.train.augment.rotate, 10);
  EXPECT_FLOAT_EQ(o.train.augment.scale, 0.1f);
  EXPECT_FLOAT_EQ(o.train.augment.mixup, 0.2f);
  EXPECT_FLOAT_EQ(o.train.augment.cutmix, 1);
  EXPECT_EQ(o.teacher_mode, TeacherMode::kCached);
  EXPECT_EQ(o.loss, LossKind::kDecoupled);
  EXPECT_FLOAT_EQ(o.dkd_target_weight, 2);
  EXPECT_FLOAT_EQ(o.dkd_nontarget_weight, 6);
  EXPECT_EQ(o.train.warmup_epochs, 2);
  EXPECT_TRUE(o.baseline);

  const TrainConfig c = to_train_config(o);
  EXPECT_EQ(c.loss, LossKind::kDecoupled);
  EXPECT_EQ(c.teacher_mode, TeacherMode::kCached);
  EXPECT_EQ(c.warmup_epochs, 2);
  EXPECT_EQ(c.augment, o.train.augment);
  EXPECT_FLOAT_EQ(c.dkd_nontarget_weight, 6);
}

TEST(DistillOptions, DefaultsAreConsistentKdWithoutAugmentation) {
  const DistillOptions o = distill_options_from_json(nlohmann::json::object());
  EXPECT_EQ(o.loss, LossKind::kHinton);
  EXPECT_EQ(o.teacher_mode, TeacherMode::kConsistent);
  EXPECT_FALSE(o.train.augment.any());
  EXPECT_EQ(o.train.warmup_epochs, 0);
  EXPECT_FALSE(o.baseline);
  for (const char* name : {"kd", "dkd", "mse", "ce"})
    EXPECT_STREQ(loss_name(distill_options_from_json({{"loss", name}}).loss), name);
}

TEST(DistillOptions, BadValuesAreOneClearErrorNamingTheOption) {
  EXPECT_EQ(error_of({{"augment", "blur:3"}}).rfind("distill: augment: unknown item 'blur:3'", 0), 0u)
      << error_of({{"augment", "blur:3"}});
  EXPECT_EQ(error_of({{"augment", "shift:2,shift:3"}}), "distill: augment: 'shift' is given twice");
  EXPECT_NE(error_of({{"augment", "rotate:500"}}).find("distill: augment: rotate"), std::string::npos);
  EXPECT_EQ(error_of({{"augment", 3}}), "distill: option 'augment' has the wrong type");
  EXPECT_EQ(error_of({{"loss", "hinton2"}}), "distill: unknown loss 'hinton2' (use ce, kd, dkd or mse)");
  EXPECT_EQ(error_of({{"teacherMode", "live"}}), "distill: unknown teacher mode 'live' (use consistent or cached)");
  EXPECT_EQ(error_of({{"dkdTargetWeight", -1}}), "distill: the dkd weights must be 0 or more");
  EXPECT_EQ(error_of({{"dkdNontargetWeight", "8"}}), "distill: option 'dkdNontargetWeight' has the wrong type");
  EXPECT_EQ(error_of({{"warmupEpochs", 9}, {"epochs", 3}}), "distill: warm-up must be 0 to 3 epochs, got 9");
  EXPECT_EQ(error_of({{"baseline", "yes"}}), "distill: option 'baseline' has the wrong type");
  EXPECT_NE(error_of({{"baseline", true}, {"loss", "ce"}}).find("distill: baseline compares"), std::string::npos);
  EXPECT_EQ(error_of({{"preset", "slow"}}), "distill: unknown preset 'slow' (use quick or patient)");
  // Unchanged messages of the options that were there before.
  EXPECT_EQ(error_of({{"epochs", -1}}), "distill: epochs must be between 1 and 1000");
}

TEST(DistillOptions, PresetsComeFromTheOneTableAndExplicitKeysOverrideThem) {
  const TrainingPreset& quick = find_training_preset("quick");
  const TrainingPreset& patient = find_training_preset("patient");
  EXPECT_EQ(quick.epochs, 5);
  EXPECT_EQ(patient.epochs, 20);
  DistillOptions o = distill_options_from_json({{"preset", "patient"}});
  EXPECT_EQ(o.train.epochs, patient.epochs);
  EXPECT_EQ(augment_spec_text(o.train.augment), augment_spec_text(parse_augment_spec(patient.augment)));
  EXPECT_EQ(o.train.schedule, patient.schedule);
  EXPECT_EQ(o.train.warmup_epochs, patient.warmup_epochs);
  EXPECT_EQ(matching_training_preset(o.train), &patient);
  o = distill_options_from_json({{"preset", "quick"}, {"epochs", 2}, {"augment", "none"}});
  EXPECT_EQ(o.train.epochs, 2);
  EXPECT_FALSE(o.train.augment.any());
  EXPECT_EQ(o.train.schedule, quick.schedule);
  EXPECT_EQ(matching_training_preset(o.train), nullptr);
  // trainTeacher takes the shared training options too.
  const TrainOptions t = train_options_from_json({{"preset", "quick"}, {"augment", "flip"}, {"warmupEpochs", 1}});
  EXPECT_TRUE(t.augment.flip);
  EXPECT_EQ(t.augment.shift, 0);
  EXPECT_EQ(t.warmup_epochs, 1);
  EXPECT_EQ(t.epochs, quick.epochs);
  try {
    train_options_from_json({{"augment", "flip:1"}});
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "trainTeacher: augment: 'flip' takes no value");
  }
  try {
    train_options_from_json({{"loss", "kd"}});
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("trainTeacher: unknown option 'loss'"), std::string::npos);
  }
}

TEST(DistillOptions, WrittenOptionsReadBackTheSame) {
  DistillOptions o;
  o.train.augment = parse_augment_spec("shift:3,rotate:5,cutmix:1");
  o.train.warmup_epochs = 1;
  o.loss = LossKind::kLogitMse;
  o.teacher_mode = TeacherMode::kCached;
  o.dkd_target_weight = 0.5f;
  o.dkd_nontarget_weight = 4;
  o.baseline = true;
  const nlohmann::json j = distill_options_to_json(o);
  EXPECT_EQ(j["loss"], "mse");
  EXPECT_EQ(j["teacherMode"], "cached");
  EXPECT_EQ(j["augment"], "shift:3,rotate:5,cutmix:1");
  const DistillOptions back = distill_options_from_json(j);
  EXPECT_EQ(back.train.augment, o.train.augment);
  EXPECT_EQ(back.train.warmup_epochs, 1);
  EXPECT_EQ(back.loss, o.loss);
  EXPECT_EQ(back.teacher_mode, o.teacher_mode);
  EXPECT_FLOAT_EQ(back.dkd_target_weight, 0.5f);
  EXPECT_FLOAT_EQ(back.dkd_nontarget_weight, 4);
  EXPECT_TRUE(back.baseline);
}

TEST(DistillOptions, OptionsWrittenBeforeTheNewKeysStillRead) {
  // What distill_options_to_json wrote before this change (saved sessions, checkpoints).
  const nlohmann::json old = nlohmann::json::parse(R"({"arch":"dense:8","epochs":5,"batch":16,"lr":0.01,
      "optimizer":"adamw","schedule":"cosine","seed":3,"temperature":3,"alpha":0.2,"loss":"mse"})");
  const DistillOptions o = distill_options_from_json(old);
  EXPECT_EQ(o.loss, LossKind::kLogitMse);
  EXPECT_EQ(o.teacher_mode, TeacherMode::kConsistent);
  EXPECT_FALSE(o.train.augment.any());
  EXPECT_FALSE(o.baseline);
  EXPECT_EQ(o.train.epochs, 5);
}

TEST(DistillOptions, PruningFineTunesFromCachedLogits) {
  // The pruning job hands its run only the teacher's cached logits; consistent mode would need the model.
  EXPECT_EQ(to_prune_settings(PruneOptions{}).train.teacher_mode, TeacherMode::kCached);
}

}  // namespace
}  // namespace distillery
