#include "app/session/step_plan.hpp"

#include <algorithm>

#include "app/session/snapshot.hpp"

namespace unrolled {
namespace {

const char* const kArrowLeft = "\xE2\x86\x90";   // ←
const char* const kArrowRight = "\xE2\x86\x92";  // →

// The UI's count of a 0-based step (t = 1..T), as text.
std::string step_text(int t) {
  return std::to_string(t + 1);
}

bool in_sweep(const ModelView& m) {
  return m.phase == Phase::Backward && m.profile_sweep;
}

// One BPTT step. Without truncation the last one (t = 1) also runs the decay-profile sweep (T more
// steps that compute no parameter gradient, only the Gradient-through-time panel's profile).
void backward_step(const ModelView& m, int k1, Plan& p) {
  const bool last = m.backward_t == 0 && k1 <= 0;
  p.send = {last ? Command{cmd::FinishBackward{}} : Command{cmd::StepBackward{}}};
  p.follow = true;
  p.what = "Backward step: the gradient reaches t = " + step_text(m.backward_t) +
           (last ? " (the last BPTT step)" : "");
}

void finish_sweep(Plan& p) {
  p.send = {cmd::FinishBackward{}};
  p.follow = true;
  p.what = "Finish the decay-profile sweep: then the gradients are ready";
}

void new_iteration(const ModelView& m, Plan& p) {
  p.send = {cmd::StepForward{}};
  p.follow = true;
  p.what = m.phase == Phase::Update
               ? "Apply the update, then start iteration " + std::to_string(m.iteration + 2) +
                     ": a new batch, forward step t = 1"
               : "Start iteration " + std::to_string(m.iteration + 1) +
                     ": a new batch, forward step t = 1";
}

// Inspect a computed step: nothing is sent.
void review(Plan& p, int to, bool at_front) {
  p.t = to;
  p.follow = at_front;
  p.what = "Inspect t = " + step_text(to) + " (computed already: nothing is recomputed)";
}

void plan_forward(const ModelView& m, int t, bool reviewing, Plan& p) {
  const int T = m.steps;
  const int front = m.forward_t - 1;  // the forward step just computed
  if (m.phase == Phase::Forward) {
    if (reviewing && t < front) return review(p, t + 1, t + 1 == front);
    p.send = {cmd::StepForward{}};
    p.follow = true;
    p.what = "Compute forward step t = " + step_text(m.forward_t);
  } else if (m.phase == Phase::Backward) {
    if (t + 1 < T) return review(p, t + 1, false);
    p.what =
        std::string("Already at t = T; the backward pass runs right to left (") + kArrowLeft + ")";
  } else if (reviewing && t + 1 < T) {  // Ready, Update
    review(p, t + 1, false);
  } else {
    new_iteration(m, p);
  }
}

void plan_back(const ModelView& m, int k1, int t, bool reviewing, Plan& p) {
  const int T = m.steps;
  const int front = std::clamp(m.backward_t + 1, 0, std::max(T - 1, 0));  // the BPTT step just done
  if (in_bptt(m)) {
    if (reviewing && t > front) return review(p, t - 1, t - 1 == front);
    backward_step(m, k1, p);
  } else if (in_sweep(m)) {
    finish_sweep(p);
  } else if (t > 0) {
    review(p, t - 1, false);
  } else {
    p.what = T > 0
                 ? "Already at t = 1"
                 : std::string("Nothing computed yet: ") + kArrowRight + " starts the forward pass";
  }
}

void plan_backward_pass(const ModelView& m, Plan& p) {
  p.follow = true;
  if (m.phase == Phase::Backward) {
    p.what = std::string("Already in the backward pass: ") + kArrowLeft + " takes the next step";
  } else if (m.phase == Phase::Update) {
    p.send = {cmd::ApplyUpdate{}, cmd::FinishForward{}, cmd::StepBackward{}};
    p.what = "Apply the update, run the next forward pass, then the first backward step (t = T)";
  } else {
    p.send = {cmd::FinishForward{}, cmd::StepBackward{}};
    p.what = m.phase == Phase::Forward
                 ? "Finish the forward pass (t = " + step_text(m.forward_t) + " to " +
                       std::to_string(m.steps) + "), then the first backward step (t = T)"
                 : "Run the forward pass of a new batch, then the first backward step (t = T)";
  }
}

void plan_end(const ModelView& m, Plan& p) {
  if (m.phase == Phase::Forward || m.phase == Phase::Ready) {
    p.send = {cmd::FinishForward{}};
    p.follow = true;
    p.what = m.phase == Phase::Forward ? "Finish the forward pass (to t = T)"
                                       : "Run a whole forward pass of a new batch";
  } else if (m.phase == Phase::Backward) {
    p.send = {cmd::FinishBackward{}};
    p.follow = true;
    p.what = "Finish the backward pass: the gradient for every step";
  } else {
    p.t = std::max(m.steps - 1, 0);
    p.what = "Inspect t = T";
  }
}

void plan_advance(const ModelView& m, int k1, Plan& p) {
  if (m.phase == Phase::Ready || m.phase == Phase::Forward) {
    p.send = {cmd::StepForward{}};
    p.follow = true;
    p.what = "Next forward step";
  } else if (in_bptt(m)) {
    backward_step(m, k1, p);
  } else if (in_sweep(m)) {
    finish_sweep(p);
  } else {
    p.stop_animation = true;  // Update: the gradients are ready
  }
}

void plan_toggle_animate(const ModelView& m, bool animating, Plan& p) {
  if (animating) {
    p.stop_animation = true;
    p.what = "Stop the animation";
  } else if (m.phase == Phase::Update) {
    new_iteration(m, p);  // the animation then runs the next iteration's passes
    p.what = "Animate the next iteration: apply the update, then one step every so often";
  } else {
    p.what =
        "Animate: one step (forward, then backward) every so often, until the gradients are "
        "ready";
  }
}

}  // namespace

bool in_bptt(const ModelView& m) {
  return m.phase == Phase::Backward && !m.profile_sweep;
}

Plan plan(StepAction a, const ModelView& m, int k1, const StepCursor& cursor) {
  Plan p;
  const int T = m.steps;
  const int t = std::clamp(cursor.t, 0, std::max(T - 1, 0));
  const bool reviewing = !cursor.follow;
  if (m.phase == Phase::Diverged) {
    // Only the computed values can be looked at.
    p.stop_animation = true;
    p.what = "Training diverged: reset first (R)";
    if (a == StepAction::Back && t > 0) review(p, t - 1, false);
    if (a == StepAction::Forward && t + 1 < T) review(p, t + 1, false);
    return p;
  }
  switch (a) {
    case StepAction::Forward:
      plan_forward(m, t, reviewing, p);
      break;
    case StepAction::Back:
      plan_back(m, k1, t, reviewing, p);
      break;
    case StepAction::BackwardPass:
      plan_backward_pass(m, p);
      break;
    case StepAction::Home:
      p.t = 0;
      p.what = "Inspect t = 1";
      break;
    case StepAction::End:
      plan_end(m, p);
      break;
    case StepAction::Advance:
      plan_advance(m, k1, p);
      break;
    case StepAction::ToggleAnimate:
      plan_toggle_animate(m, cursor.animating, p);
      break;
  }
  return p;
}

StepCursor moved(const StepCursor& cursor, StepAction a, const Plan& p) {
  StepCursor next = cursor;
  if (p.t >= 0) next.t = p.t;
  if (p.t >= 0 || !p.send.empty() || a == StepAction::Home) next.follow = p.follow;
  if (a == StepAction::ToggleAnimate)
    next.animating = !p.stop_animation;
  else if (a != StepAction::Advance || p.stop_animation)
    next.animating = false;
  return next;
}

int follow_target(const ModelView& m, int current) {
  const int T = m.steps;
  if (T == 0) return 0;
  switch (m.phase) {
    case Phase::Forward:
      return std::clamp(m.forward_t - 1, 0, T - 1);
    case Phase::Backward:
      return m.profile_sweep ? 0 : std::clamp(m.backward_t + 1, 0, T - 1);
    case Phase::Update:
      return 0;
    default:
      return std::clamp(current, 0, T - 1);
  }
}

}  // namespace unrolled
