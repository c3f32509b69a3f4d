#pragma once
// Weights written as plain JSON numbers must read back bit-identically.
// nlohmann/json holds numbers as double, prints the shortest decimal that
// reads back as the same double, and parses with strtod. So we store, for a
// float f, the double nearest to f's shortest float decimal ("0.1", not
// "0.10000000149011612") when that double converts back to exactly f, and
// (double)f otherwise. Both read back as f; the check makes it a guarantee
// rather than a hope (decimal -> double -> float rounds twice).
namespace distillery {

// A double that prints short and converts back to exactly `value` (finite).
double float_to_json_double(float value);

}  // namespace distillery
