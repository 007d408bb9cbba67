// Step through: what each step key (and the graph panel's button that mirrors it) does, decided
// from the snapshot alone, so the keys, the buttons, their tooltips and the tests share one
// answer. GL-free: the GUI applies a Plan to its own state and sends plan.send to the worker.
//
// Time steps are 0-based here, as in the engine; the UI shows t + 1 (the lectures count
// t = 1..T with h_0 the initial state).
//
//   →      forward in time. Forward pass (or ready, or gradients ready): computes the next forward
//          step; if you had stepped back over computed steps, it first walks over those. Backward
//          pass: moves the inspected cell right over steps whose gradient is already computed.
//   ←      back in time. Forward pass (or ready, or gradients ready): moves the inspected cell
//          back (the values are all in the snapshot; nothing is recomputed). Backward pass:
//          computes the next backward step (the gradient flows right to left), after walking
//          over any computed steps you had moved right past.
//   B      the backward pass: finishes the forward pass and takes the first BPTT step (at t = T).
//          With the gradients ready, it applies the update first and runs the next forward pass.
//   Home   inspect t = 1.
//   End    finish the current pass (forward: the rest of it; backward: the rest of BPTT and the
//          decay-profile sweep); when ready, run the next forward pass whole.
//   Space  animate: one step (forward, then backward) every so often until the gradients are
//          ready; Space again stops.
#pragma once

#include <string>
#include <vector>

#include "app/session/commands.hpp"

namespace unrolled {

struct ModelView;

enum class StepAction {
  Back,          // ←
  Forward,       // →
  BackwardPass,  // B
  Home,
  End,
  Advance,       // one animated step: forward until the pass ends, then backward
  ToggleAnimate  // Space
};

// Where the inspected cell is, as far as the keys care.
struct StepCursor {
  int t = 0;               // inspected time step (0-based)
  bool follow = true;      // t follows the step being computed (the "front")
  bool animating = false;  // the animation is running (Space stops it)
};

// What one press does now.
struct Plan {
  std::vector<Command> send;    // commands for the worker, in order
  int t = -1;                   // the new inspected step; -1: unchanged
  bool follow = false;          // inspect the step being computed from now on
  bool stop_animation = false;  // the animation has nothing left to do
  std::string what;             // what the press does now (tooltips)
};

// k1: the truncation (0: full BPTT). Without truncation the last BPTT step also finishes the
// decay-profile sweep, so one press ends with the gradients ready.
Plan plan(StepAction a, const ModelView& m, int k1, const StepCursor& cursor);

// The cursor after the press: t and follow as the plan says; the animation starts with Space and
// stops with Space, when it has nothing left to do, or at any other key (a step by hand takes
// over from it).
StepCursor moved(const StepCursor& cursor, StepAction a, const Plan& p);

// Where the inspected step goes while following: the step just computed.
int follow_target(const ModelView& m, int current);

// In the backward pass proper (BPTT), not in the decay-profile sweep that ends it.
bool in_bptt(const ModelView& m);

}  // namespace unrolled
