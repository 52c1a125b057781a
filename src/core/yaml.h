/* yaml.h - YAML documents read with libyaml into the JSON reader's tree
 * (yaml.c), so a Kubernetes object decodes through the same field tables
 * as a JSON profile, with a line and column for every value. */
#ifndef SP_YAML_H
#define SP_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/json.h"

/* Whether `data` is YAML rather than JSON: before its first value it has a
 * comment, a directive or a "---" line, or it starts with a block mapping
 * key ("apiVersion:"), none of which a JSON text can. Every JSON profile
 * (an object, or null) answers false. */
bool sp_yaml_sniff(const char *data, size_t len);

/* Parse every document of a YAML stream into an SP_JARR of their roots
 * (nodes in node_arena, strings in arena). Scalars resolve as Kubernetes'
 * sigs.k8s.io/yaml (YAML 1.1 through go-yaml) reads them: plain integers
 * (decimal, 0x hex, 0 octal) become numbers in decimal text, true/false/
 * yes/no/on/off booleans, null/~/empty null, anything quoted a string.
 * Aliases are refused (a small file must not expand into a large tree).
 * On error returns NULL with file:line:col in err. */
struct sp_json *sp_yaml_parse(struct sp_arena *arena, struct sp_arena *node_arena, const char *data,
			      size_t len, const char *file, secprof_error *err);

#endif
