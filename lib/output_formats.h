/* output_formats: the writers the registry of output.c knows, one per
 * lib/output_<name>.c. */
#ifndef TIDESCAN_OUTPUT_FORMATS_H
#define TIDESCAN_OUTPUT_FORMATS_H

#include "output.h"

extern const struct output_format_ops output_ndjson_ops;
extern const struct output_format_ops output_json_ops;
extern const struct output_format_ops output_list_ops;
extern const struct output_format_ops output_grepable_ops;
extern const struct output_format_ops output_xml_ops;
extern const struct output_format_ops output_binary_ops;

#endif
