#pragma once

// What the server knows about a kind of resource: names for discovery and
// URLs, scope, versions with their schemas and subresources, and the
// behaviours that differ between kinds (generation, create on update, ...).

#include "tests/servers/kube/object_meta.hpp"
#include "tests/servers/kube/schema.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ocne::test::kube {

struct ScaleSubresource
{
  std::string spec_replicas_path = ".spec.replicas";
  std::string status_replicas_path = ".status.replicas";
  std::string label_selector_path;
};

struct ResourceVersion
{
  std::string name;
  bool served = true;
  bool storage = false;
  bool deprecated = false;
  std::string deprecation_warning;
  // The whole object's schema (metadata included); null means anything goes.
  SchemaPtr schema;
  bool status_subresource = false;
  std::optional<ScaleSubresource> scale;
  Json printer_columns = Json::array(); // additionalPrinterColumns
};

struct ResourceType
{
  std::string group; // "" for the core group
  std::string kind;
  std::string plural;
  std::string singular;
  std::string list_kind;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  bool namespaced = true;
  bool builtin = true;
  bool has_generation = false;         // metadata.generation counts spec changes
  bool allow_create_on_update = false; // PUT of a missing object creates it
  bool unconditional_update = true;    // PUT without resourceVersion is allowed
  bool schema_complete = false;        // the schema names every field (unknown ones are pruned)
  NameRules name_rules = NameRules::subdomain;
  std::vector<std::string> field_selectors; // beyond metadata.name / metadata.namespace
  std::string crd_name;                     // set for custom resources
  // Checks of the CRD's schemas this server does not make (unsupported CEL
  // rules, patterns std::regex cannot compile), one line each:
  // "<crd> <version> <path>: <rule or pattern> (<why>)".
  std::vector<std::string> unchecked_rules;
  std::vector<ResourceVersion> versions;

  const ResourceVersion* find_version(const std::string& name) const;
  const ResourceVersion& storage_version() const;
  // "apps/v1" or "v1".
  std::string api_version(const std::string& version) const;
  // "deployments.apps" or "configmaps".
  std::string qualified_plural() const;
  // "Deployment.apps" or "ConfigMap" (how Invalid errors name the kind).
  std::string qualified_kind() const;
  bool
  custom() const
  {
    return !crd_name.empty();
  }
};

using ResourceTypePtr = std::shared_ptr<const ResourceType>;

// The built-in kinds (core, apps, batch, rbac, coordination, apiextensions,
// admissionregistration, storage, ...).
std::vector<ResourceTypePtr> builtin_types();

// The schema every object's metadata gets (labels, finalizers as a set,
// ownerReferences as a map list keyed by uid).
SchemaPtr object_meta_schema();

// Adds metadata, apiVersion and kind to a root schema, and returns it.
std::shared_ptr<Schema> with_object_meta(std::shared_ptr<Schema> root);

} // namespace ocne::test::kube
