/* arp: being written */
#include "arp.h"
