/* cookie: being written */
#include "cookie.h"
