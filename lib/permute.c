/* permute: being written */
#include "permute.h"
