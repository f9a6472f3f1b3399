#pragma once

// Owning handles for libvirt objects. The libvirt types stay opaque here so
// that users of pkg/libvirt do not include the libvirt headers.

#include <memory>

struct _virConnect;
struct _virStoragePool;
struct _virStorageVol;
struct _virNetwork;
struct _virDomain;
struct _virStream;

namespace ocne::libvirt::detail {

struct Free
{
  void operator()(_virConnect* p) const;
  void operator()(_virStoragePool* p) const;
  void operator()(_virStorageVol* p) const;
  void operator()(_virNetwork* p) const;
  void operator()(_virDomain* p) const;
  void operator()(_virStream* p) const;
};

template<typename T>
using Owned = std::unique_ptr<T, Free>;

} // namespace ocne::libvirt::detail
