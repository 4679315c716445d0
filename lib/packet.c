/* packet: being written */
#include "packet.h"
