#pragma once

// The non-apply patch formats: JSON patch (RFC 6902), JSON merge patch
// (RFC 7386) and strategic merge patch (lists merged by the keys the schema
// names, $patch/$retainKeys/$setElementOrder/$deleteFromPrimitiveList
// directives). Failures throw ApiError (422 for a patch that does not apply).

#include "tests/servers/kube/json_util.hpp"
#include "tests/servers/kube/schema.hpp"

namespace ocne::test::kube {

Json apply_json_patch(const Json& doc, const Json& operations);
Json apply_merge_patch(const Json& doc, const Json& patch);
Json apply_strategic_merge_patch(const Json& doc, const Json& patch, const Schema* schema);

} // namespace ocne::test::kube
