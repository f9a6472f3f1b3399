#pragma once

// For the server's tests: the ApiError a call throws.

#include "tests/servers/kube/api_error.hpp"

#include <gtest/gtest.h>

#include <utility>

namespace ocne::test::kube {

// Runs f and returns the ApiError it throws (fails the test when it does not).
template<typename F>
ApiError
error_of(F&& f)
{
  try {
    std::forward<F>(f)();
  } catch (const ApiError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an ApiError";
  return ApiError(0, "", "");
}

} // namespace ocne::test::kube
