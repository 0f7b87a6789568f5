#include "io/errors.hpp"
