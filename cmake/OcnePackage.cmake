# Install rules and the Debian package.
#
#   cmake --install build/release --prefix /usr/local
#   scripts/package.sh            # build/release + cpack: ocne_<version>_<arch>.deb
#
# The version comes from ocne-version.txt, written at build time with the one
# compiled into the binary (cmake/OcneBuildInfo.cmake), so the package and
# `ocne --version` always agree.
include(GNUInstallDirs)

install(TARGETS ocne RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(DIRECTORY "${OCNE_MAN_DIR}/" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" FILES_MATCHING PATTERN "*.1")
install(FILES "${OCNE_BASH_COMPLETION}" DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions")
install(FILES "${OCNE_ZSH_COMPLETION}" DESTINATION "${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions")
install(FILES "${OCNE_FISH_COMPLETION}" DESTINATION "${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d")
install(FILES "${CMAKE_SOURCE_DIR}/defaults.yaml.example" "${CMAKE_SOURCE_DIR}/README.md"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(DIRECTORY "${CMAKE_SOURCE_DIR}/examples" DESTINATION "${CMAKE_INSTALL_DOCDIR}")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ocne)
set(CPACK_PACKAGE_VENDOR "ocne developers")
set(CPACK_PACKAGE_CONTACT "ocne developers <ocne@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Kubernetes cluster lifecycle on libvirt, OCI and Oxide")
set(CPACK_PACKAGE_DESCRIPTION
    "ocne starts, templates, lists, shows and deletes Kubernetes clusters: local clusters of libvirt VMs, and clusters on Oracle Cloud Infrastructure and Oxide racks through Cluster API. It also builds and uploads their boot images.")
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
