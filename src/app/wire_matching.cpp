#include "app/context.h"

namespace atelier::app {

void WireMatching(AppContext& ctx) { (void)ctx; }

}  // namespace atelier::app
