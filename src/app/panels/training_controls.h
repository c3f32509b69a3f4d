#pragma once
// Controls shared by the panels that start training: the optimisation
// settings, and pause / resume / stop with a progress line for the running job.
#include "app/options.h"

namespace distillery {

class App;

// Epochs, batch, learning rate, optimiser, schedule, warm-up, seed (with tooltips).
void draw_train_options(TrainOptions& options, const char* id);
// Pause/Resume and Stop buttons for the running job (nothing when idle).
void draw_job_controls(App& app);
// Progress bar with phase, epoch, samples/s and ETA of the running job.
void draw_job_progress(App& app);
// Loss and accuracy curves of the running job, else of the last run: batches
// (optionally smoothed) and epochs, train and validation, with the teacher's
// validation accuracy as a reference line.
void draw_training_curves(App& app, bool& smooth_curves);

}  // namespace distillery
