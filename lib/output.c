/* output: being written */
#include "output.h"
