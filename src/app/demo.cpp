#include <cstdio>

#include "app/context.h"

namespace atelier::app {

int RunDemo(AppContext& ctx) {
  (void)ctx;
  std::printf("demo: nothing to add yet\n");
  return 0;
}

}  // namespace atelier::app
