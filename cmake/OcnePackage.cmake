# Install rules and the Debian package.
#
#   cmake --install build/release --prefix /usr/local
#   scripts/package.sh            # build/release + cpack: ocne_<version>_<arch>.deb
#
# The version comes from ocne-version.txt, written at build time with the one
# compiled into the binary (cmake/OcneBuildInfo.cmake), so the package and
# `ocne --version` always agree.
#
# lintian accepts the package with no error (tests/e2e/package runs
# it; docs/CONTRIBUTING.md lists the warnings left and why): man pages and
# the changelog are gzip-compressed with -n, the copyright file is
# machine-readable (packaging/debian/copyright), and the maintainer is a
# cache variable, so whoever repackages ocne puts their own address:
#
#   cmake -B build/release -DOCNE_PACKAGE_MAINTAINER="Jo Doe <jo@example.org>"
include(GNUInstallDirs)

set(OCNE_PACKAGE_MAINTAINER "ocne maintainers <maintainers@users.noreply.h-seed-da1e5bb1.example>"
    CACHE STRING "Maintainer of the Debian package: \"Name <address>\"")

install(TARGETS ocne RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(DIRECTORY "${OCNE_MAN_GZ_DIR}/" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" FILES_MATCHING PATTERN "*.1.gz")
install(FILES "${OCNE_BASH_COMPLETION}" DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions")
install(FILES "${OCNE_ZSH_COMPLETION}" DESTINATION "${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions")
install(FILES "${OCNE_FISH_COMPLETION}" DESTINATION "${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d")
install(FILES "${CMAKE_SOURCE_DIR}/defaults.yaml.example" "${CMAKE_SOURCE_DIR}/README.md"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(DIRECTORY "${CMAKE_SOURCE_DIR}/examples" DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(FILES "${CMAKE_SOURCE_DIR}/packaging/debian/copyright" DESTINATION "${CMAKE_INSTALL_DOCDIR}")

# usr/share/doc/ocne/changelog.gz, rewritten when the version changes.
set(ocne_changelog "${CMAKE_BINARY_DIR}/debian/changelog.gz")
add_custom_command(
  OUTPUT "${ocne_changelog}"
  COMMAND "${CMAKE_COMMAND}" -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DVERSION_FILE=${CMAKE_BINARY_DIR}/ocne-version.txt
          "-DMAINTAINER=${OCNE_PACKAGE_MAINTAINER}" -DOUT=${ocne_changelog}
          -P "${CMAKE_SOURCE_DIR}/cmake/OcneDebianChangelog.cmake"
  DEPENDS "${CMAKE_BINARY_DIR}/ocne-version.txt" "${CMAKE_SOURCE_DIR}/cmake/OcneDebianChangelog.cmake"
  COMMENT "Debian changelog for this version"
  VERBATIM)
add_custom_target(ocne_debian_changelog ALL DEPENDS "${ocne_changelog}")
add_dependencies(ocne_debian_changelog ocne_build_info)
install(FILES "${ocne_changelog}" DESTINATION "${CMAKE_INSTALL_DOCDIR}")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ocne)
set(CPACK_PACKAGE_VENDOR "ocne developers")
set(CPACK_PACKAGE_CONTACT "${OCNE_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Kubernetes cluster lifecycle on libvirt, OCI and Oxide")
# Lines of at most 80 characters (lintian: extended-description-line-too-long).
set(CPACK_PACKAGE_DESCRIPTION
    "ocne starts, templates, lists, shows and deletes Kubernetes clusters: local
clusters of libvirt VMs, and clusters on Oracle Cloud Infrastructure and Oxide
racks through Cluster API. It also builds and uploads their boot images.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
# Library dependencies are read from the binary by dpkg-shlibdeps, not listed.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Tools some commands run; the commands say what is missing when they are not there.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libvirt-daemon-system, qemu-utils")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_PROJECT_CONFIG_FILE "${CMAKE_BINARY_DIR}/OcneCPackVersion.cmake")
file(WRITE "${CMAKE_BINARY_DIR}/OcneCPackVersion.cmake" "
# Written by cmake/OcnePackage.cmake: the version of the last build.
if(NOT EXISTS \"${CMAKE_BINARY_DIR}/ocne-version.txt\")
  message(FATAL_ERROR \"build ocne before packaging it (no ${CMAKE_BINARY_DIR}/ocne-version.txt)\")
endif()
file(READ \"${CMAKE_BINARY_DIR}/ocne-version.txt\" CPACK_PACKAGE_VERSION)
set(CPACK_DEBIAN_PACKAGE_VERSION \"\${CPACK_PACKAGE_VERSION}\")
")
include(CPack)
