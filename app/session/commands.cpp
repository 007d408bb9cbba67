#include "app/session/commands.hpp"

namespace unrolled {
namespace {

template <class T>
constexpr std::string_view name_of() = delete;

// One name per alternative; a new command without a name here does not compile.
#define UNROLLED_COMMAND_NAME(T)                 \
  template <>                                    \
  constexpr std::string_view name_of<cmd::T>() { \
    return #T;                                   \
  }
UNROLLED_COMMAND_NAME(Play)
UNROLLED_COMMAND_NAME(Pause)
UNROLLED_COMMAND_NAME(StepIteration)
UNROLLED_COMMAND_NAME(StepForward)
UNROLLED_COMMAND_NAME(StepBackward)
UNROLLED_COMMAND_NAME(FinishForward)
UNROLLED_COMMAND_NAME(FinishBackward)
UNROLLED_COMMAND_NAME(ApplyUpdate)
UNROLLED_COMMAND_NAME(Reset)
UNROLLED_COMMAND_NAME(Reseed)
UNROLLED_COMMAND_NAME(Configure)
UNROLLED_COMMAND_NAME(RunIterations)
UNROLLED_COMMAND_NAME(RunUntil)
UNROLLED_COMMAND_NAME(RescaleRecurrent)
UNROLLED_COMMAND_NAME(SetSpeed)
UNROLLED_COMMAND_NAME(SetOptimizer)
UNROLLED_COMMAND_NAME(SetClip)
UNROLLED_COMMAND_NAME(SetTruncation)
UNROLLED_COMMAND_NAME(SetPrecision)
UNROLLED_COMMAND_NAME(SetSample)
UNROLLED_COMMAND_NAME(SetTemperature)
UNROLLED_COMMAND_NAME(SetAnalysis)
UNROLLED_COMMAND_NAME(ViewIteration)
UNROLLED_COMMAND_NAME(BackToLive)
UNROLLED_COMMAND_NAME(CaptureSession)
UNROLLED_COMMAND_NAME(LoadSession)
#undef UNROLLED_COMMAND_NAME

}  // namespace

std::string_view command_name(const Command& c) {
  return std::visit([](const auto& command) { return name_of<std::decay_t<decltype(command)>>(); },
                    c);
}

}  // namespace unrolled
