#include "stringio.h"
