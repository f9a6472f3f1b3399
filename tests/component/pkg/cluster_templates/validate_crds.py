#!/usr/bin/env python3
"""Validate Kubernetes objects against the openAPIV3Schema of their CRDs.

Usage: validate_crds.py --crds DIR [--crds DIR ...] [--overlay FILE]
                        [--allow-unknown KIND:PATH ...] FILE...

Every YAML document in every FILE must name an apiVersion and kind that a
CRD in one of the --crds folders serves, and must validate against that
version's schema the way the API server would with strict field validation
(kubectl apply --validate=strict):

  * null values are dropped first for fields that are not nullable;
  * x-kubernetes-int-or-string, nullable, x-kubernetes-embedded-resource and
    x-kubernetes-preserve-unknown-fields are honoured;
  * any field the schema does not declare is an error (the API server would
    prune it and warn), unless listed with --allow-unknown;
  * lists with x-kubernetes-list-type set/map must not repeat items/keys;
  * metadata is checked as ObjectMeta (name and namespace formats, string
    labels and annotations, no unknown fields).

x-kubernetes-validations (CEL rules) are not evaluated.

--overlay names a YAML file that adds properties to CRD schemas before
validation (fields of a fork that the upstream CRDs lack):
  - group: bootstrap.cluster.x-k8s.io
    kind: KubeadmConfigTemplate
    versions: [v1beta1, v1beta2]
    path: spec.template.spec.ignition
    properties: {variant: {type: string}}

Prints one line per problem ("FILE: document N (Kind/name): path: message")
and exits 1 when there is any, else prints a summary and exits 0.
"""

import argparse
import copy
import glob
import os
import re
import sys

import jsonschema
import yaml

try:
    Loader = yaml.CSafeLoader
except AttributeError:  # no libyaml
    Loader = yaml.SafeLoader

DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
LABEL_VALUE = r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"
QUALIFIED_NAME = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"

OBJECT_META = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "maxLength": 253, "pattern": DNS_SUBDOMAIN},
        "namespace": {"type": "string", "maxLength": 63, "pattern": DNS_LABEL},
        "labels": {
            "type": "object",
            "x-key-pattern": QUALIFIED_NAME,
            "additionalProperties": {"type": "string", "maxLength": 63, "pattern": LABEL_VALUE},
        },
        "annotations": {
            "type": "object",
            "x-key-pattern": QUALIFIED_NAME,
            "additionalProperties": {"type": "string"},
        },
        "finalizers": {"type": "array", "items": {"type": "string"}},
        "generateName": {"type": "string"},
        "ownerReferences": {"type": "array"},
        "uid": {"type": "string"},
        "resourceVersion": {"type": "string"},
        "generation": {"type": "integer"},
        "creationTimestamp": {"type": ["string", "null"]},
        "deletionTimestamp": {"type": "string"},
        "deletionGracePeriodSeconds": {"type": "integer"},
        "managedFields": {"type": "array"},
        "selfLink": {"type": "string"},
    },
}

# Keywords copied as they are: OpenAPI v3.0 uses JSON Schema draft 4 semantics
# for these (exclusiveMinimum is a boolean there, as in draft 4).
PLAIN_KEYWORDS = (
    "type", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems",
    "uniqueItems", "minProperties", "maxProperties", "required",
)


def convert(schema):
    """A structural CRD schema -> a strict draft-4 JSON schema."""
    out = {}
    for key in PLAIN_KEYWORDS:
        if key in schema:
            out[key] = copy.deepcopy(schema[key])
    if schema.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = out["enum"] + [None]
    for key in ("allOf", "anyOf", "oneOf"):
        if key in schema:
            # Structural schemas may only restrict values here, never add
            # fields, so the branches are not made strict.
            out.setdefault(key, [])
            out[key] = out[key] + [loose(s) for s in schema[key]]
    if "not" in schema:
        out["not"] = loose(schema["not"])
    if "items" in schema:
        out["items"] = convert(schema["items"])
    props = dict(schema.get("properties") or {})
    if schema.get("x-kubernetes-embedded-resource"):
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        props.setdefault("metadata", {"type": "object", "x-kubernetes-preserve-unknown-fields": True})
    if props:
        out["properties"] = {k: convert(v) for k, v in props.items()}
    additional = schema.get("additionalProperties")
    if isinstance(additional, dict):
        out["additionalProperties"] = convert(additional)
    elif isinstance(additional, bool):
        out["additionalProperties"] = additional
    elif schema.get("x-kubernetes-preserve-unknown-fields"):
        pass
    elif schema.get("type") == "object" or props:
        out["additionalProperties"] = False
    list_type = schema.get("x-kubernetes-list-type")
    if list_type == "set":
        out["uniqueItems"] = True
    elif list_type == "map":
        out["x-list-map-keys"] = list(schema.get("x-kubernetes-list-map-keys") or [])
    return out


def loose(schema):
    out = convert(schema)
    out.pop("additionalProperties", None)
    return out


def list_map_keys(validator, keys, instance, schema):
    if not validator.is_type(instance, "array") or not keys:
        return
    seen = {}
    for index, item in enumerate(instance):
        if not isinstance(item, dict):
            continue
        key = tuple(repr(item.get(k)) for k in keys)
        if key in seen:
            yield jsonschema.ValidationError(
                "items %d and %d have the same key %s" % (seen[key], index, ", ".join(
                    "%s=%s" % (k, item.get(k)) for k in keys)))
        seen[key] = index


def key_pattern(validator, pattern, instance, schema):
    # draft 4 has no propertyNames
    if not validator.is_type(instance, "object"):
        return
    for key in instance:
        if not re.match(pattern, key) or len(key) > 316:
            yield jsonschema.ValidationError("key %r is not a valid qualified name" % key)


StrictValidator = jsonschema.validators.extend(
    jsonschema.Draft4Validator, {"x-list-map-keys": list_map_keys, "x-key-pattern": key_pattern})


def drop_nulls(value, schema):
    """Drops null values of fields that are not nullable, as the API server does."""
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        additional = schema.get("additionalProperties")
        for key in list(value.keys()):
            sub = props.get(key, additional if isinstance(additional, dict) else {})
            if value[key] is None and not sub.get("nullable"):
                del value[key]
            else:
                drop_nulls(value[key], sub or {})
    elif isinstance(value, list):
        for item in value:
            drop_nulls(item, schema.get("items") or {})


class Crds:
    def __init__(self, folders, overlay):
        self.folders = folders
        self.overlay = overlay or []
        self.by_gk = {}
        self.loaded = set()

    def _load(self, path):
        if path in self.loaded:
            return
        self.loaded.add(path)
        with open(path) as f:
            for doc in yaml.load_all(f, Loader=Loader):
                if not doc or doc.get("kind") != "CustomResourceDefinition":
                    continue
                spec = doc["spec"]
                self.by_gk[(spec["group"], spec["names"]["kind"])] = doc
                self._apply_overlay(doc)

    def _apply_overlay(self, crd):
        spec = crd["spec"]
        for rule in self.overlay:
            if rule["group"] != spec["group"] or rule["kind"] != spec["names"]["kind"]:
                continue
            for version in spec["versions"]:
                if version["name"] not in rule["versions"]:
                    continue
                node = version["schema"]["openAPIV3Schema"]
                for part in rule["path"].split("."):
                    node = node["properties"][part]
                node.setdefault("properties", {}).update(copy.deepcopy(rule["properties"]))

    def find(self, group, kind):
        if (group, kind) not in self.by_gk:
            # CRD files are named <group>_<plural>.yaml; try the usual plural first.
            for folder in self.folders:
                for path in glob.glob(os.path.join(folder, "%s_%ss.yaml" % (group, kind.lower()))):
                    self._load(path)
        if (group, kind) not in self.by_gk:
            for folder in self.folders:
                for path in sorted(glob.glob(os.path.join(folder, "*.yaml"))):
                    self._load(path)
        return self.by_gk.get((group, kind))


def path_text(path):
    out = ""
    for part in path:
        out += "[%d]" % part if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "(object)"


def validate_object(obj, crds, allow_unknown, schema_cache):
    problems = []
    if not isinstance(obj, dict):
        return ["not a mapping"]
    api_version = obj.get("apiVersion")
    kind = obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return ["apiVersion and kind are required"]
    group, _, version = api_version.rpartition("/")
    crd = crds.find(group, kind)
    if crd is None:
        return ["no CustomResourceDefinition for %s %s" % (api_version, kind)]
    served = {v["name"]: v for v in crd["spec"]["versions"]}
    if version not in served:
        return ["%s %s is not a version of the CRD (it has %s)" % (api_version, kind, ", ".join(sorted(served)))]
    entry = served[version]
    if not entry.get("served"):
        return ["%s %s is not served" % (api_version, kind)]
    key = (group, kind, version)
    if key not in schema_cache:
        raw = copy.deepcopy(entry["schema"]["openAPIV3Schema"])
        raw.setdefault("properties", {})
        raw["properties"].pop("metadata", None)
        raw["properties"].pop("status", None)
        strict = convert(raw)
        strict["properties"]["metadata"] = OBJECT_META
        strict["required"] = sorted(set(strict.get("required", [])) | {"apiVersion", "kind", "metadata"})
        schema_cache[key] = (raw, StrictValidator(strict))
    raw, validator = schema_cache[key]
    obj = copy.deepcopy(obj)
    drop_nulls(obj, raw)
    if crd["spec"].get("scope") == "Cluster" and "namespace" in (obj.get("metadata") or {}):
        problems.append("metadata.namespace: %s is cluster-scoped" % kind)
    for error in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path))):
        where = path_text(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            declared = set((error.schema.get("properties") or {}).keys())
            unknown = sorted(k for k in error.instance if k not in declared)
            kept = []
            for name in unknown:
                field = (where + "." + name) if where != "(object)" else name
                if "%s:%s" % (kind, field) not in allow_unknown:
                    kept.append(field)
            for field in kept:
                problems.append("%s: unknown field (the API server would drop it)" % field)
            continue
        problems.append("%s: %s" % (where, error.message))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crds", action="append", required=True, help="folder of CRD YAML files")
    parser.add_argument("--overlay", help="YAML list of schema additions")
    parser.add_argument("--allow-unknown", action="append", default=[], help="KIND:PATH of a tolerated unknown field")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    overlay = None
    if args.overlay:
        with open(args.overlay) as f:
            overlay = yaml.load(f, Loader=Loader)
    crds = Crds(args.crds, overlay)
    schema_cache = {}
    problems = 0
    objects = 0
    for path in args.files:
        with open(path) as f:
            try:
                docs = list(yaml.load_all(f, Loader=Loader))
            except yaml.YAMLError as e:
                print("%s: not valid YAML: %s" % (path, e))
                problems += 1
                continue
        for index, doc in enumerate(docs, start=1):
            if doc is None:
                continue
            objects += 1
            name = (doc.get("metadata") or {}).get("name", "?") if isinstance(doc, dict) else "?"
            label = "%s: document %d (%s/%s)" % (path, index, doc.get("kind", "?") if isinstance(doc, dict) else "?", name)
            for problem in validate_object(doc, crds, set(args.allow_unknown), schema_cache):
                print("%s: %s" % (label, problem))
                problems += 1
    if problems:
        return 1
    print("%d objects in %d files valid" % (objects, len(args.files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
