#pragma once

// Where in a YAML document each variable reference sits. The renderer
// replaces every reference in the template with k_slot_char and asks this
// lexer, line by line, what each slot is part of: a plain scalar (and which
// characters that scalar spans, and whether it is a key, a value after
// "key: ", a list item or a line of its own), a quoted scalar, a block
// scalar or a comment. That decides how a value must be written so the
// document keeps its structure. The lexer knows the YAML a Kubernetes
// manifest uses (block and flow collections, quotes, block scalars, comments,
// document markers); exotic forms fall back to "plain, other", and the
// renderer's structure check catches anything it gets wrong.

#include <cstddef>
#include <string_view>
#include <vector>

namespace ocne::tmpl::detail {

inline constexpr char k_slot_char = '\x01';

enum class Context { plain, double_quoted, single_quoted, block_scalar, comment };

enum class Position {
  other,      // part of a longer scalar, or inside a flow collection
  standalone, // the only thing on its line (after the indentation)
  map_value,  // the value after "key: "
  seq_item,   // the item after "- "
  key,        // a mapping key
};

struct Slot
{
  Context context = Context::plain;
  bool flow = false;          // inside [...] or {...}
  std::size_t span_begin = 0; // plain: the scalar holding the slot,
  std::size_t span_end = 0;   //   as offsets into the skeleton text
  Position position = Position::other;
  int node_indent = 0;       // where a block written here is indented
  bool starts_block = false; // block scalar: the slot opens its first line
};

// One Slot per k_slot_char in skeleton, in order.
std::vector<Slot> classify_slots(std::string_view skeleton);

} // namespace ocne::tmpl::detail
