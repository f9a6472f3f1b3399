#pragma once

// CustomResourceDefinitions (apiextensions.k8s.io/v1): validation and
// defaulting of the CRD object itself, the resource type it defines, and
// the status conditions a real API server sets.

#include "tests/servers/kube/resource_type.hpp"

#include <string>
#include <vector>

namespace ocne::test::kube {

// Fills spec.names.singular/listKind and spec.conversion like the API server.
void default_crd(Json& crd);

// The errors kube-apiserver would report for this CRD (names, scope,
// versions, storage version, schemas).
std::vector<FieldError> validate_crd(const Json& crd);

// The type a CRD serves. Throws std::invalid_argument for a schema that
// cannot be compiled.
ResourceTypePtr crd_resource_type(const Json& crd);

// status.acceptedNames, conditions (NamesAccepted, Established) and
// storedVersions. conflict names the reason when the names are taken.
void set_crd_status(Json& crd, bool established, const std::string& conflict, const std::string& now);

// Kubernetes version ordering: v1 > v1beta2 > v1beta1 > v1alpha1 > others.
bool version_less_preferred(const std::string& a, const std::string& b);

} // namespace ocne::test::kube
