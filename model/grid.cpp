// Placeholder until the Grid metrics land.
#include "model/grid.hpp"
