/* targets: being written */
#include "targets.h"
