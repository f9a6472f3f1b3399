#include "pkg/libvirt/error.hpp"

#include "pkg/libvirt/handles.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <cctype>
#include <mutex>

namespace ocne::libvirt {

namespace detail {

void
Free::operator()(_virConnect* p) const
{
  virConnectClose(p);
}
void
Free::operator()(_virStoragePool* p) const
{
  virStoragePoolFree(p);
}
void
Free::operator()(_virStorageVol* p) const
{
  virStorageVolFree(p);
}
void
Free::operator()(_virNetwork* p) const
{
  virNetworkFree(p);
}
void
Free::operator()(_virDomain* p) const
{
  virDomainFree(p);
}
void
Free::operator()(_virStream* p) const
{
  virStreamFree(p);
}

} // namespace detail

namespace {

void
ignore_error(void* /*data*/, virErrorPtr /*error*/)
{
}

ErrorKind
kind_for(int code)
{
  switch (code) {
    case VIR_ERR_NO_DOMAIN:
    case VIR_ERR_NO_STORAGE_POOL:
    case VIR_ERR_NO_STORAGE_VOL:
    case VIR_ERR_NO_NETWORK:
    case VIR_ERR_NO_NODE_DEVICE:
      return ErrorKind::not_found;
    case VIR_ERR_NO_SUPPORT:
    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_SYSTEM_ERROR:
    case VIR_ERR_RPC:
    case VIR_ERR_INTERNAL_ERROR:
      return ErrorKind::unavailable;
    case VIR_ERR_OPERATION_INVALID:
    case VIR_ERR_OPERATION_FAILED:
      return ErrorKind::conflict;
    case VIR_ERR_OPERATION_DENIED:
    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
    case VIR_ERR_AUTH_UNAVAILABLE:
    case VIR_ERR_ACCESS_DENIED:
      return ErrorKind::auth;
    case VIR_ERR_DOM_EXIST:
    case VIR_ERR_STORAGE_VOL_EXIST:
    case VIR_ERR_NETWORK_EXIST:
    case VIR_ERR_STORAGE_POOL_BUILT:
      return ErrorKind::already_exists;
    case VIR_ERR_XML_ERROR:
    case VIR_ERR_XML_DETAIL:
    case VIR_ERR_INVALID_ARG:
    case VIR_ERR_CONFIG_UNSUPPORTED:
    case VIR_ERR_INVALID_DOMAIN:
      return ErrorKind::invalid_input;
    case VIR_ERR_OPERATION_TIMEOUT:
      return ErrorKind::timeout;
    default:
      return ErrorKind::io;
  }
}

} // namespace

void
silence_default_error_printing()
{
  static std::once_flag once;
  std::call_once(once, [] { virSetErrorFunc(nullptr, ignore_error); });
}

Error
last_error(std::string_view what)
{
  const virErrorPtr error = virGetLastError();
  if (error == nullptr || error->message == nullptr) {
    return Error(ErrorKind::io, fmt::format("{}: libvirt gave no reason", what));
  }
  std::string message = error->message;
  if (!message.empty()) {
    message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
  }
  const ErrorKind kind = kind_for(error->code);
  virResetLastError();
  return Error(kind, fmt::format("{}: {}", what, message));
}

} // namespace ocne::libvirt
