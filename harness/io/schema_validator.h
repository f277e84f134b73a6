// io/schema_validator.h — a JSON Schema validator for the subset results.schema.json uses:
// type (one or a list), required, properties, additionalProperties (bool or schema), items,
// enum, minimum, $ref ("#/$defs/NAME" or "#/definitions/NAME"). Unknown keywords are ignored.
#pragma once

#include <string>
#include <vector>

#include "core/types.h"

namespace alloclab::harness {

// Every violation as "<json pointer>: <what>", empty when `doc` validates.
std::vector<std::string> validate_json(const json& doc, const json& schema, std::size_t max_errors = 20);

// harness/results.schema.json, compiled into the binary.
const json& results_schema();

}  // namespace alloclab::harness
