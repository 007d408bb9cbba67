// A small lesson for the worker and step tests: H = 6, T = 7, B = 4, seed 11, any cell and task.
#pragma once

#include "core/experiment.hpp"

namespace unrolled::testing_support {

inline ExperimentConfig small_lesson(CellType cell, TaskKind task, int layers) {
  ExperimentConfig c = default_experiment();
  c.model.cell = cell;
  c.model.layers = layers;
  c.model.hidden_size = 6;
  c.task = default_task_spec(task);
  c.task.length = 7;
  c.training.batch_size = 4;
  c.training.seed = 11;
  return c;
}

}  // namespace unrolled::testing_support
