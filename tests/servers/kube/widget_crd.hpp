#pragma once

// A small CustomResourceDefinition for the server's tests.

#include <nlohmann/json.hpp>

#include <string>

namespace ocne::test::kube {

inline nlohmann::json
widget_crd(const std::string& scope = "Namespaced")
{
  std::string text = R"({
  "apiVersion": "apiextensions.k8s.io/v1",
  "kind": "CustomResourceDefinition",
  "metadata": {"name": "widgets.test.ocne.io"},
  "spec": {
    "group": "test.ocne.io",
    "names": {"kind": "Widget", "plural": "widgets", "shortNames": ["wd"]},
    "scope": "SCOPE",
    "versions": [
      {"name": "v1beta1", "served": true, "storage": false,
       "schema": {"openAPIV3Schema": {"type": "object", "properties": {
         "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}},
      {"name": "v1", "served": true, "storage": true,
       "subresources": {"status": {}},
       "additionalPrinterColumns": [
         {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
         {"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"}],
       "schema": {"openAPIV3Schema": {"type": "object", "properties": {
         "spec": {"type": "object", "required": ["size"], "properties": {
           "size": {"type": "integer", "minimum": 1},
           "color": {"type": "string", "enum": ["red", "blue"], "default": "red"},
           "parts": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                     "items": {"type": "object", "required": ["name"],
                               "properties": {"name": {"type": "string"}, "count": {"type": "integer"}}}}}},
         "status": {"type": "object", "properties": {
           "phase": {"type": "string"},
           "conditions": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}}}}
    ]
  }
})";
  text.replace(text.find("SCOPE"), 5, scope);
  return nlohmann::json::parse(text);
}

} // namespace ocne::test::kube
