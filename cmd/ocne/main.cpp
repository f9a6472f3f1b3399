#include "cmd/ocne/app.hpp"

int
main(int argc, char** argv)
{
  return ocne::cli::run(argc, argv);
}
